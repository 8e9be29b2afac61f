"""The WebUI's differences between hosts, detected (never assumed from a version string).

A1111 v1.10 vs older (`infotext_utils` vs `generation_parameters_copypaste`), Forge
(no ldm UNet at `model.diffusion_model`, no-op lowvram), and per-model support (SDXL,
v-prediction) are all answered here.  gradio's own differences (3 in A1111, 4 in Forge)
are in `ui/gradio_compat.py`, which host-free code can import without the WebUI.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import weakref
from typing import Dict, Optional, Tuple


def infotext_utils():
    """`modules.infotext_utils` (v1.8+) or its old name."""
    try:
        return importlib.import_module("modules.infotext_utils")
    except ImportError:
        return importlib.import_module("modules.generation_parameters_copypaste")


def make_tool_button(text: str, elem_id: str, tooltip: str):
    """The host's small emoji button (its patched components take `tooltip`); else a Button."""
    try:
        from modules.ui_components import ToolButton
    except ImportError:
        import gradio as gr
        return gr.Button(text, elem_id=elem_id)
    return ToolButton(text, elem_id=elem_id, tooltip=tooltip)


def is_forge() -> bool:
    return importlib.util.find_spec("modules_forge") is not None


def lowvram_module():
    try:
        return importlib.import_module("modules.lowvram")
    except ImportError:
        return None


def low_vram_requested() -> bool:
    """The WebUI was started with --medvram or --lowvram (the user has a small card)."""
    try:
        from modules import shared
    except ImportError:
        return False
    opts = getattr(shared, "cmd_opts", None)
    return bool(getattr(opts, "medvram", False) or getattr(opts, "lowvram", False))


def default_output_root() -> str:
    """The WebUI's `outputs` folder (under --data-dir when given)."""
    try:
        from modules.paths_internal import default_output_dir
        return default_output_dir
    except ImportError:
        from modules import paths
        return os.path.join(getattr(paths, "data_path", "."), "outputs")


def model_hash(sd_model) -> Optional[str]:
    h = getattr(sd_model, "sd_model_hash", None)
    if not h:
        info = getattr(sd_model, "sd_checkpoint_info", None)
        h = getattr(info, "shorthash", None)
    return h or None


_support_memo: Dict[int, Tuple["weakref.ref", Optional[str]]] = {}


def unsupported_reason(sd_model) -> Optional[str]:
    """None when EasyDrag can run on `sd_model`, else a message for the user (memoised per model)."""
    memo = _support_memo.get(id(sd_model))
    if memo is not None and memo[0]() is sd_model:
        return memo[1]
    reason = _unsupported_reason(sd_model)
    _support_memo.clear()
    try:   # a weak reference: the memo must never keep an unloaded checkpoint in memory
        _support_memo[id(sd_model)] = (weakref.ref(sd_model), reason)
    except TypeError:
        pass
    return reason


def forget_models() -> None:
    """Drop per-model state (called on every checkpoint load)."""
    _support_memo.clear()


def _unsupported_reason(sd_model) -> Optional[str]:
    if sd_model is None:
        return "no checkpoint is loaded; load an SD-1.x checkpoint first"
    if getattr(sd_model, "is_sdxl", False) or hasattr(sd_model, "conditioner"):
        return "SDXL models are not supported yet by EasyDrag; load an SD-1.x checkpoint"
    if getattr(sd_model, "parameterization", "eps") == "v":
        return ("v-prediction models (e.g. SD-2.x 768-v) are not supported yet by EasyDrag; "
                "load an SD-1.x checkpoint")
    if getattr(getattr(sd_model, "model", None), "diffusion_model", None) is None:
        if hasattr(sd_model, "forge_objects"):
            return "Forge's model back end is not supported yet by EasyDrag; use A1111 WebUI 1.10"
        return "this model has no ldm UNet (model.diffusion_model); EasyDrag needs an SD-1.x checkpoint"
    return None


# -- precision, memory mode and unloading (issue 18) -----------------------------------------
def host_precision():
    """What the WebUI decided about precision, for the engine's LdmAdapter.

    fp8 weights ("FP8 weight") are storage only: `devices.autocast()` runs them under
    torch.autocast, bfloat16 on a CPU and `dtype_inference` (float16) on CUDA.
    """
    import torch
    from modules import devices, shared

    from ..engine.adapter import HostPrecision

    opts, cmd = shared.opts, shared.cmd_opts
    compute = None
    if getattr(devices, "fp8", False):
        device = getattr(devices, "device", None)
        inference = getattr(devices, "dtype_inference", None) or getattr(devices, "dtype", torch.float16)
        if getattr(device, "type", "cpu") == "cpu":
            compute = torch.bfloat16
        else:   # autocast needs a half type to cast fp8 weights into (the host: manual_cast)
            compute = inference if inference in (torch.float16, torch.bfloat16) else torch.float16
    return HostPrecision(
        compute_dtype=compute,
        upcast_sampling=bool(getattr(devices, "unet_needs_upcast", False)),
        upcast_attn=bool(getattr(opts, "upcast_attn", False)),
        vae_fp32_retry=bool(getattr(opts, "auto_vae_precision", True)),
        no_half=bool(getattr(cmd, "no_half", False)),
        no_half_vae=bool(getattr(cmd, "no_half_vae", False)),
    )


def low_vram_mode(sd_model=None) -> bool:
    """--lowvram / --medvram (or --medvram-sdxl on an SDXL model): keep our caches off the GPU."""
    from modules import shared

    cmd = shared.cmd_opts
    if getattr(cmd, "lowvram", False) or getattr(cmd, "medvram", False):
        return True
    return bool(getattr(cmd, "medvram_sdxl", False) and getattr(sd_model, "is_sdxl", False))


_UNLOAD_MARK = "_easydrag_unload_watch"


def watch_unload(on_unload) -> None:
    """Call `on_unload()` after the WebUI unloads the checkpoint.

    "Unload SD checkpoint" (Settings -> Actions, bound to `sd_models.unload_model_weights` when
    the UI is built) and POST /sdapi/v1/unload-checkpoint both go through
    `sd_models.send_model_to_cpu`, looked up at call time, and fire no callback; so that function
    is wrapped (once; `unwatch_unload` on script unload puts the original back).
    """
    try:
        sd_models = importlib.import_module("modules.sd_models")
    except ImportError:
        return
    current = getattr(sd_models, "send_model_to_cpu", None)
    if current is None:
        return
    original = getattr(current, _UNLOAD_MARK, current)      # reloading scripts: wrap the host's, once

    def send_model_to_cpu(m, *args, **kwargs):
        result = original(m, *args, **kwargs)
        on_unload()
        return result

    setattr(send_model_to_cpu, _UNLOAD_MARK, original)
    sd_models.send_model_to_cpu = send_model_to_cpu


def unwatch_unload() -> None:
    try:
        sd_models = importlib.import_module("modules.sd_models")
    except ImportError:
        return
    original = getattr(getattr(sd_models, "send_model_to_cpu", None), _UNLOAD_MARK, None)
    if original is not None:
        sd_models.send_model_to_cpu = original
