"""The host's checkpoint unloading, as v1.10.1 does it (modules/sd_models.py).

"Unload SD checkpoint" (Settings -> Actions) and POST /sdapi/v1/unload-checkpoint call
`unload_model_weights`, which moves the model to the CPU through `send_model_to_cpu`
(looked up at call time) and fires no callback.
"""
from modules import devices, lowvram, shared


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
