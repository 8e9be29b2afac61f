"""Re-opening a saved EasyDrag result brings back its points and parameters.

The result's PNG carries its infotext; the prompt is restored by the image-change handler,
and this listener adds the rest (the same values PNG Info -> Send to EasyDrag pastes).
An image without EasyDrag keys leaves every field as it is.
"""
from __future__ import annotations

import json
import logging
from typing import Callable, List

import gradio as gr
from PIL import Image

from ..infotext import has_easydrag, params_from_parsed, points_from_parsed, read_infotext
from .param_widgets import component_value, field_names

log = logging.getLogger("easydrag")


def make_restore(parse_infotext: Callable[[str], dict]) -> Callable:
    """image -> [points JSON update] + one update per DragParams field (FIELDS order)."""
    names = field_names()

    def keep() -> List:
        return [gr.update()] * (1 + len(names))

    def restore(image):
        if not isinstance(image, Image.Image):
            return keep()
        text = read_infotext(image)     # a PNG's text chunk or a JPEG/WebP's EXIF
        if text is None:
            return keep()
        try:
            parsed = parse_infotext(text)
            if not has_easydrag(parsed):
                return keep()
            params = params_from_parsed(parsed)
            points = points_from_parsed(parsed)
        except Exception:   # a foreign or broken chunk must not block loading the image
            log.warning("EasyDrag: could not restore points and parameters from the image", exc_info=True)
            return keep()
        box = gr.update()
        if points:
            box = gr.update(value=json.dumps({"points": points, "mask": None, "size": list(image.size)}))
        return [box] + [gr.update(value=component_value(n, getattr(params, n))) for n in names]

    return restore
