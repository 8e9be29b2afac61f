"""modules/sd_models.py: checkpoint identity, lookup, switching and unloading as observed in v1.10.1 (own code).

The fake's "files" are models a test registers with `register(info, model)`; loading one makes it
`shared.sd_model` with the identity attributes the host sets, and fires `on_model_loaded`.
"Unload SD checkpoint" (Settings -> Actions) and POST /sdapi/v1/unload-checkpoint call
`unload_model_weights`, which moves the model to the CPU through `send_model_to_cpu`
(looked up at call time) and fires no callback.
"""
from modules import devices, lowvram, script_callbacks, shared

checkpoints_list = {}      # title -> CheckpointInfo
checkpoint_aliases = {}    # every id -> CheckpointInfo
_files = {}                # filename -> model (the fake's disk)
loads = []                 # titles loaded, for tests


class CheckpointInfo:
    def __init__(self, filename, name, sha256, old_hash="0badf00d"):
        self.filename = filename
        self.name = name
        self.name_for_extra = self.model_name = name.rsplit(".", 1)[0]
        self.hash = old_hash
        self.sha256 = sha256
        self.shorthash = sha256[:10]
        self.title = f"{name} [{self.shorthash}]"
        self.short_title = f"{self.name_for_extra} [{self.shorthash}]"
        self.ids = [self.hash, self.model_name, self.title, name, self.name_for_extra, self.short_title,
                    self.shorthash, self.sha256, f"{name} [{self.hash}]"]
        self.is_safetensors = name.endswith(".safetensors")
        self.metadata = {}

    def register(self):
        checkpoints_list[self.title] = self
        for i in self.ids:
            checkpoint_aliases[i] = self

    def calculate_shorthash(self):
        return self.shorthash


def register(info, model):
    info.register()
    _files[info.filename] = model


def reset():
    checkpoints_list.clear()
    checkpoint_aliases.clear()
    _files.clear()
    loads.clear()


def list_models():
    return checkpoints_list


def get_closet_checkpoint_match(search_string):
    if not search_string:
        return None
    info = checkpoint_aliases.get(search_string)
    if info is not None:
        return info
    found = sorted([i for i in checkpoints_list.values() if search_string in i.title], key=lambda x: len(x.title))
    return found[0] if found else None


def select_checkpoint():
    info = checkpoint_aliases.get(shared.opts.sd_model_checkpoint)
    if info is not None:
        return info
    return next(iter(checkpoints_list.values()), None)


def model_data_of(model, info):
    model.sd_checkpoint_info = info
    model.sd_model_hash = info.shorthash
    model.sd_model_checkpoint = info.filename


def reload_model_weights(sd_model=None, info=None, forced_reload=False):
    info = info or select_checkpoint()
    current = getattr(shared.sd_model, "sd_model_checkpoint", None)
    if info is None or (current == info.filename and not forced_reload):
        return shared.sd_model
    model = _files[info.filename]
    model_data_of(model, info)
    shared.sd_model = model
    shared.opts.data["sd_model_checkpoint"] = info.title
    shared.opts.data["sd_checkpoint_hash"] = info.sha256
    loads.append(info.title)
    script_callbacks.model_loaded_callback(model)
    return model


def send_model_to_cpu(m):
    if m is not None:
        if getattr(m, "lowvram", False):
            lowvram.send_everything_to_cpu()
        else:
            m.to(devices.cpu)

    devices.torch_gc()


def unload_model_weights(sd_model=None, info=None):
    send_model_to_cpu(sd_model or shared.sd_model)

    return sd_model
