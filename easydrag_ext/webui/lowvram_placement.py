"""Keep the whole UNet on the GPU for a drag under --medvram/--lowvram, then put it back.

The WebUI's low-VRAM mode keeps the UNet on the CPU and moves it (medvram: all of
`sd_model.model`; lowvram: each block) to the GPU from `send_me_to_gpu` forward
pre-hooks, evicting whatever was there.  The drag calls UNet blocks directly and runs a
backward pass, so for its duration those hooks are set aside on the UNet (only hooks
named `send_me_to_gpu`; other extensions' hooks stay), the UNet is moved to the GPU once,
and afterwards every tensor goes back to the device it was on and the hooks return in
their original order.  Without low-VRAM mode nothing is touched.
"""
from __future__ import annotations

import contextlib
from typing import Dict, List, Tuple

import torch

LOWVRAM_HOOK_NAME = "send_me_to_gpu"


def _tensor_devices(root: torch.nn.Module) -> List[Tuple[torch.nn.Module, str, str, torch.device]]:
    out = []
    for module in root.modules():
        for kind in ("_parameters", "_buffers"):
            for name, t in getattr(module, kind).items():
                if t is not None:
                    out.append((module, kind, name, t.device))
    return out


def _restore_devices(records) -> None:
    with torch.no_grad():
        for module, kind, name, device in records:
            t = getattr(module, kind)[name]
            if t is None or t.device == device:
                continue
            if kind == "_parameters":
                t.data = t.data.to(device)     # keeps the Parameter object (and its identity)
            else:
                getattr(module, kind)[name] = t.to(device)


def _suspend_lowvram_hooks(root: torch.nn.Module) -> List[Tuple[torch.nn.Module, Dict]]:
    """Remove the low-VRAM pre-hooks from `root` and its submodules; return what to put back."""
    suspended = []
    for module in root.modules():
        hooks = module._forward_pre_hooks
        ours = {k: h for k, h in hooks.items() if getattr(h, "__name__", "") == LOWVRAM_HOOK_NAME}
        if ours:
            suspended.append((module, dict(hooks)))   # the full ordered dict, to restore order
            for k in ours:
                del hooks[k]
    return suspended


def _restore_hooks(suspended) -> None:
    for module, original in suspended:
        hooks = module._forward_pre_hooks
        hooks.clear()
        hooks.update(original)


@contextlib.contextmanager
def unet_on_device(sd_model, device, lowvram=None):
    """For the drag: the UNet wrapper `sd_model.model` wholly on `device` when low-VRAM hooks
    manage it; a no-op otherwise.  `lowvram` is the host's `modules.lowvram` (or None)."""
    if not getattr(sd_model, "lowvram", False):
        yield
        return
    holder = sd_model.model
    records = _tensor_devices(holder)
    if lowvram is not None:
        lowvram.send_everything_to_cpu()       # free the GPU of whatever the hooks put there
    suspended = _suspend_lowvram_hooks(holder)
    try:
        try:
            holder.to(device)
        except torch.cuda.OutOfMemoryError:
            raise RuntimeError("not enough GPU memory to hold the whole UNet for EasyDrag under "
                               "--lowvram; try --medvram or a smaller working size") from None
        yield
    finally:
        if lowvram is not None:
            lowvram.send_everything_to_cpu()   # evict text encoder / VAE the hooks moved meanwhile
        _restore_devices(records)
        _restore_hooks(suspended)
