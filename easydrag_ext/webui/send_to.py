""""Send to EasyDrag" buttons on txt2img/img2img/PNG Info, and sending results on.

The host wires every registered `ParamBinding` inside its own Blocks after all tabs are
built (`connect_paste_params_buttons`), then runs the JS `switch_to_<tabname>` that
`javascript/easydrag_webui.js` defines.
"""
from __future__ import annotations

import json
from typing import Any, Dict

import gradio as gr

from ..infotext import has_easydrag, params_from_parsed, points_from_parsed
from ..params import FIELDS
from ..ui.param_widgets import component_value
from ..front.source_info import from_parsed as source_from_parsed
from . import compat

TABNAME = "easydrag"
GALLERY_TABS = ("txt2img", "img2img")
SEND_ON_TABS = ("img2img", "inpaint", "extras")

# Components seen during the current UI build (reset when a gallery is seen again on reload).
_seen: Dict[str, Any] = {}


def after_component(component, **kwargs) -> None:
    """`on_after_component`: add our button next to the host's "send to extras" buttons."""
    elem_id = kwargs.get("elem_id") or getattr(component, "elem_id", None)
    if not elem_id:
        return
    for tab in GALLERY_TABS:
        if elem_id == f"{tab}_gallery":
            _seen[elem_id] = component
        elif elem_id == f"{tab}_send_to_extras" and f"{tab}_gallery" in _seen:
            _add_gallery_button(tab, _seen.pop(f"{tab}_gallery"))
    if elem_id in ("pnginfo_image", "pnginfo_generation_info"):
        _seen[elem_id] = component
    elif elem_id == "extras_tab" and "pnginfo_image" in _seen and "pnginfo_generation_info" in _seen:
        _add_pnginfo_button(_seen.pop("pnginfo_image"), _seen.pop("pnginfo_generation_info"))


def _register(**binding) -> None:
    iu = compat.infotext_utils()
    iu.register_paste_params_button(iu.ParamBinding(**binding))


def _add_gallery_button(tab: str, gallery) -> None:
    button = compat.make_tool_button("✋", f"{tab}_send_to_easydrag",
                                     "Send image and prompt to the EasyDrag tab.")
    _register(paste_button=button, tabname=TABNAME, source_image_component=gallery)


def _add_pnginfo_button(image, generation_info) -> None:
    button = gr.Button("Send to EasyDrag", elem_id="pnginfo_send_to_easydrag")
    _register(paste_button=button, tabname=TABNAME, source_text_component=generation_info,
              source_image_component=image)


# -- the EasyDrag tab as a paste destination and as a source --------------------------------
def _paste_points(params: dict):
    """Infotext -> the canvas JSON (`{"points", "mask", "size"}`), or None to leave it."""
    if not has_easydrag(params):
        return None
    points = points_from_parsed(params)
    if not points:
        return None
    data = {"points": points, "mask": None}
    if params.get("Size-1") and params.get("Size-2"):
        data["size"] = [int(params["Size-1"]), int(params["Size-2"])]
    return gr.update(value=json.dumps(data))


def _param_value(name: str):
    def paste(params: dict):
        if name == "cfg_scale" and not has_easydrag(params) and params.get("CFG scale"):
            try:   # txt2img's CFG scale is prompt_cfg's w; one out of our range keeps the field
                return gr.update(value=params_from_parsed({"CFG scale": params["CFG scale"]}).cfg_scale)
            except ValueError:
                return None
        if not has_easydrag(params):   # a plain txt2img image: keep the user's other settings
            return None
        return gr.update(value=component_value(name, getattr(params_from_parsed(params), name)))
    return paste


def _paste_source(params: dict):
    """The image's infotext facts (clip skip, checkpoint, VAE, CFG) for the run; '' without infotext."""
    source = source_from_parsed(params)
    return gr.update(value=source.to_json() if source is not None else "")


def paste_fields(tab) -> list:
    fields = [(tab.prompt, "Prompt"), (tab.negative_prompt, "Negative prompt"),
              (tab.points_json, _paste_points)]
    if getattr(tab, "source_info", None) is not None:
        fields.append((tab.source_info, _paste_source))
    fields += [(tab.params[f.name], _param_value(f.name)) for f in FIELDS]
    return fields


def register_tab_bindings(tab) -> None:
    """Declare the tab as a paste destination; add "Send to img2img/inpaint/extras" buttons."""
    iu = compat.infotext_utils()
    iu.add_paste_fields(TABNAME, tab.image, paste_fields(tab))
    buttons = {}
    for dest in SEND_ON_TABS:
        buttons[dest] = gr.Button(f"Send to {dest}", elem_id=f"easydrag_send_to_{dest}")
        _register(paste_button=buttons[dest], tabname=dest, source_text_component=tab.infotext,
                  source_image_component=tab.result)
    tab.extra["send_buttons"] = buttons
