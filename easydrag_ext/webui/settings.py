"""The "EasyDrag" settings section (keys prefixed `easydrag_`) and typed getters."""
from __future__ import annotations

import os

from ..ui.tab_host import RESIZE_POLICIES
from . import compat

SECTION = ("easydrag", "EasyDrag")
# The settings page groups sections by category; without one ours lands under "Uncategorized".
CATEGORY = "sd"                          # "Stable Diffusion", registered by the host
DEFAULTS = {
    "easydrag_outdir": None,            # filled lazily: <outputs>/easydrag-images
    "easydrag_save_automatically": True,
    "easydrag_preview_every": 5,
    "easydrag_resize_policy": "auto",
}


def default_outdir() -> str:
    return os.path.join(compat.default_output_root(), "easydrag-images")


def default_outdir_setting() -> str:
    """The default as the host writes its own folder defaults: relative to the WebUI folder
    when inside it (like `outputs/txt2img-images`), so config.json holds no machine's path."""
    path = default_outdir()
    base = os.getcwd()
    try:
        inside = os.path.commonpath([os.path.abspath(path), base]) == base
    except ValueError:          # another drive on Windows
        inside = False
    return os.path.relpath(path, base) if inside else path


def on_ui_settings() -> None:
    import gradio as gr
    from modules import shared

    def add(key, default, label, component=None, component_args=None):
        shared.opts.add_option(key, shared.OptionInfo(default, label, component, component_args,
                                                      section=SECTION, category_id=CATEGORY))

    add("easydrag_outdir", default_outdir_setting(),
        "Output folder for EasyDrag results (empty: the img2img output folder)")
    add("easydrag_save_automatically", True, "Save every EasyDrag result automatically")
    add("easydrag_preview_every", 5, "Live preview every N drag iterations (0: off)", gr.Slider,
        {"minimum": 0, "maximum": 50, "step": 1})
    add("easydrag_resize_policy", "auto", "Working size for a newly loaded image: " +
        "; ".join(f"{k}: {v.lower()}" for k, v in RESIZE_POLICIES.items()), gr.Radio,
        {"choices": list(RESIZE_POLICIES)})


def get(key: str):
    from modules import shared

    value = getattr(shared.opts, key, None)
    if value is None:
        value = default_outdir() if key == "easydrag_outdir" else DEFAULTS[key]
    return value


def output_dir() -> str:
    """EasyDrag folder, else the WebUI's global or img2img output folder."""
    from modules import shared

    opts = shared.opts
    return (get("easydrag_outdir") or getattr(opts, "outdir_samples", "")
            or getattr(opts, "outdir_img2img_samples", "") or default_outdir())
