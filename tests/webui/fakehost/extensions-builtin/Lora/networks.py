"""The Lora built-in's networks.py, as observed in v1.10.1 (own code; see host notes "LoRA built-in").

A LoRA is merged INTO the weights in place, lazily: the patched `forward` of Linear/Conv2d calls
`network_apply_weights(self)` first, which, when the wanted set of (name, te, unet, dyn) differs from
the one the layer holds, copies the CPU backup back into the weight (outside no_grad: the
"leaf Variable that requires grad" error on a grad-enabled first forward) and adds every loaded
network's up.down*alpha/rank*multiplier under no_grad.  It stays merged after the job; only a later
forward with another set restores it.  Layers get `network_layer_name` from
`assign_network_names_to_compvis_modules` (dotted path with '_', as the host names SD1 layers).
Files are fakes: `fake_files[name]` holds {layer name: (up, down, alpha)} (the host reads a safetensors).
Only Linear and Conv2d are patched (the host also patches GroupNorm, LayerNorm, MultiheadAttention).
"""
import torch

from modules import sd_hijack, shared

available_networks = {}
available_network_aliases = {}
loaded_networks = []
networks_in_memory = {}
fake_files = {}          # name -> {layer name: (up, down, alpha)}
_originals = {}


class NetworkOnDisk:
    def __init__(self, name, filename, shorthash, alias=None):
        self.name, self.filename, self.shorthash = name, filename, shorthash
        self.hash = shorthash
        self.alias = alias or name
        self.sd_version = "SD1"

    def get_alias(self):
        return self.alias


class NetworkModule:
    def __init__(self, up, down, alpha):
        self.up, self.down, self.alpha = up, down, alpha

    def calc_updown(self, weight, multiplier):
        rank = self.down.shape[0]
        updown = (self.up.flatten(1) @ self.down.flatten(1)).reshape(weight.shape)
        return updown.to(weight) * (self.alpha / rank) * multiplier


class Network:
    def __init__(self, name, network_on_disk):
        self.name = name
        self.network_on_disk = network_on_disk
        self.te_multiplier = self.unet_multiplier = 1.0
        self.dyn_dim = None
        self.modules = {}
        self.mentioned_name = None


def list_available_networks():
    """Rescan: the fake's 'disk' is `fake_files` + the NetworkOnDisk entries a test registered."""
    return available_networks


def load_network(name, network_on_disk):
    net = Network(name, network_on_disk)
    for layer, (up, down, alpha) in fake_files[network_on_disk.filename].items():
        net.modules[layer] = NetworkModule(up, down, alpha)
    return net


def load_networks(names, te_multipliers=None, unet_multipliers=None, dyn_dims=None):
    already_loaded = {net.name: net for net in loaded_networks if net.name in names}
    on_disk = [available_networks.get(n) or available_network_aliases.get(n) for n in names]
    if any(x is None for x in on_disk):
        list_available_networks()
        on_disk = [available_networks.get(n) or available_network_aliases.get(n) for n in names]
    failed = []
    loaded_networks.clear()
    for i, (nod, name) in enumerate(zip(on_disk, names)):
        net = already_loaded.get(name)
        if nod is not None and net is None:
            net = load_network(name, nod)
        if net is None:
            failed.append(name)
            continue
        net.mentioned_name = name
        net.te_multiplier = te_multipliers[i] if te_multipliers else 1.0
        net.unet_multiplier = unet_multipliers[i] if unet_multipliers else 1.0
        net.dyn_dim = dyn_dims[i] if dyn_dims else None
        loaded_networks.append(net)
    if failed:
        sd_hijack.model_hijack.comments.append(f"Lora not found: {', '.join(failed)}")


def network_restore_weights_from_backup(self):   # only reached from the patched forwards
    weights_backup = getattr(self, "network_weights_backup", None)
    bias_backup = getattr(self, "network_bias_backup", None)
    if weights_backup is not None:
        self.weight.copy_(weights_backup)                  # not under no_grad, as in the host
    if bias_backup is not None:
        self.bias.copy_(bias_backup)


def network_apply_weights(self):
    layer_name = getattr(self, "network_layer_name", None)
    if layer_name is None:
        return
    current = getattr(self, "network_current_names", ())
    wanted = tuple((x.name, x.te_multiplier, x.unet_multiplier, x.dyn_dim) for x in loaded_networks)
    if getattr(self, "network_weights_backup", None) is None and wanted != ():
        self.network_weights_backup = self.weight.to("cpu", copy=True)
        self.network_bias_backup = self.bias.to("cpu", copy=True) if self.bias is not None else None
    if current == wanted:
        return
    network_restore_weights_from_backup(self)
    for net in loaded_networks:
        module = net.modules.get(layer_name)
        if module is None:
            continue
        multiplier = net.te_multiplier if "transformer" in layer_name[:20] else net.unet_multiplier
        with torch.no_grad():
            self.weight += module.calc_updown(self.weight, multiplier)
    self.network_current_names = wanted


def network_Linear_forward(self, input):
    network_apply_weights(self)
    return _originals["Linear"](self, input)


def network_Conv2d_forward(self, input):
    network_apply_weights(self)
    return _originals["Conv2d"](self, input)


def install_patches():
    """lora_patches.LoraPatches: class-wide, undone by `undo_patches` (on_script_unloaded)."""
    if not _originals:
        _originals["Linear"], _originals["Conv2d"] = torch.nn.Linear.forward, torch.nn.Conv2d.forward
        torch.nn.Linear.forward = network_Linear_forward
        torch.nn.Conv2d.forward = network_Conv2d_forward


def undo_patches():
    if _originals:
        torch.nn.Linear.forward = _originals.pop("Linear")
        torch.nn.Conv2d.forward = _originals.pop("Conv2d")


def assign_network_names_to_compvis_modules(sd_model):
    mapping = {}
    for name, module in sd_model.cond_stage_model.wrapped.named_modules():
        mapping["transformer_" + name.replace(".", "_")] = module
    for name, module in sd_model.model.named_modules():
        mapping[name.replace(".", "_")] = module
    for name, module in mapping.items():
        module.network_layer_name = name        # every module, containers too, as the host does
    sd_model.network_layer_mapping = mapping


def reset():
    available_networks.clear()
    available_network_aliases.clear()
    loaded_networks.clear()
    networks_in_memory.clear()
    fake_files.clear()
