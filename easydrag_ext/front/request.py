"""One drag request, built from the tab, the API or the CLI and checked before any model work.

Each front end only decodes its bytes (an upload, base64, a file) into PIL images and hands
them here; the checks, limits and conversions are the engine's (`engine.inputs`), so the
same bad input gets the same message everywhere.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

import numpy as np
from PIL import Image

from ..engine import inputs
from ..params import DragParams
from ..ui.imagedata import UnreadableUpload, mask_from_image
from ..ui.points import parse_canvas_json, parse_points
from .source_info import SourceInfo, check_clip_skip


@dataclass
class DragRequest:
    image: Image.Image                      # RGB, converted by engine.inputs.to_rgb
    prompt: str
    negative_prompt: str
    handles: List[Tuple[float, float]]
    targets: List[Tuple[float, float]]
    mask: Optional[np.ndarray]              # bool (H, W), only with mask_mode 'user'
    params: DragParams = field(default_factory=DragParams)
    warnings: List[str] = field(default_factory=list)   # shown with the result (e.g. an ignored mask)
    # appended to the prompt as "prompt, added" (the official code's "added prompt"; ours is empty
    # by default because WebUI prompts carry their own quality words)
    added_prompt: str = ""
    clip_skip: Optional[int] = None         # None: the image's infotext, else the host's setting
    source: Optional[SourceInfo] = None     # the image's WebUI infotext, when it came with one

    @property
    def conditioning_prompt(self) -> str:
        """The text of the condition: the prompt, then the added prompt."""
        added = (self.added_prompt or "").strip()
        return f"{self.prompt}, {added}" if added and self.prompt.strip() else (added or self.prompt)

    @property
    def effective_clip_skip(self) -> Optional[int]:
        if self.clip_skip is not None:
            return self.clip_skip
        return self.source.clip_skip if self.source is not None else None

    @property
    def points(self) -> List[List[float]]:
        return [[hx, hy, tx, ty] for (hx, hy), (tx, ty) in zip(self.handles, self.targets)]

    @property
    def size(self) -> Tuple[int, int]:
        return self.image.size


def prepare_image(image) -> Image.Image:
    """Any PIL image -> RGB within the limits, by the engine's one rule."""
    if image is None:
        raise ValueError("no image: open or drop one on the canvas first")
    if isinstance(image, UnreadableUpload):     # the tab's upload, refused by the one decoder
        raise ValueError(image.message)
    if not isinstance(image, Image.Image):
        raise ValueError(f"image must be a picture, got {type(image).__name__}")
    return inputs.check_image(image)


def ignored_mask_warning(mode: str) -> str:
    return (f"a mask was given but mask mode is '{mode}', so it was not used; "
            f"choose mask mode 'user' to drag inside it")


def _mask(params: DragParams, canvas_mask, mask_image, size, warnings: List[str]):
    mask = canvas_mask
    if isinstance(mask_image, UnreadableUpload):
        raise ValueError(mask_image.message)
    if mask is None and mask_image is not None:
        mask = mask_from_image(mask_image, size, what="mask image")
    if params.mask_mode == "user":
        if mask is None:
            raise ValueError("mask mode is 'user' but no mask was painted or uploaded")
        if not mask.any():
            raise ValueError("the mask is empty: paint the area that may change, or use mask mode 'auto'")
        return mask
    if mask is not None and mask.any():     # 'auto' finds its own mask; say so rather than drop it quietly
        warnings.append(ignored_mask_warning(params.mask_mode))
    return None


def _extras(added_prompt, clip_skip, source) -> dict:
    if added_prompt is not None and not isinstance(added_prompt, str):
        raise ValueError(f"added_prompt must be text, got {type(added_prompt).__name__}")
    return dict(added_prompt=added_prompt or "", clip_skip=check_clip_skip(clip_skip), source=source)


def request_from_ui(image, prompt, negative_prompt, points_json, mask_image,
                    params: DragParams, source: Optional[SourceInfo] = None, added_prompt: str = "",
                    clip_skip=None) -> DragRequest:
    rgb = prepare_image(image)
    canvas = parse_canvas_json(points_json, rgb.size)
    warnings: List[str] = []
    mask = _mask(params, canvas.mask, mask_image, rgb.size, warnings)
    return DragRequest(rgb, prompt or "", negative_prompt or "", canvas.handles, canvas.targets,
                       mask, params, warnings, **_extras(added_prompt, clip_skip, source))


def request_from_api(image: Image.Image, prompt: str, negative_prompt: str, points,
                     mask_image: Optional[Image.Image], params: DragParams,
                     source: Optional[SourceInfo] = None, added_prompt: str = "",
                     clip_skip=None) -> DragRequest:
    rgb = prepare_image(image)
    handles, targets = parse_points(points, rgb.size)
    warnings: List[str] = []
    mask = _mask(params, None, mask_image, rgb.size, warnings)
    return DragRequest(rgb, prompt or "", negative_prompt or "", handles, targets, mask, params, warnings,
                       **_extras(added_prompt, clip_skip, source))


def parse_points_text(text: str) -> List[List[float]]:
    """The CLI's points: 'hx,hy,tx,ty;hx,hy,tx,ty' or JSON [[hx, hy, tx, ty], ...]."""
    text = (text or "").strip()
    try:
        rows = json.loads(text) if text.startswith("[") else [
            [float(v) for v in part.split(",")] for part in text.split(";") if part.strip()]
    except ValueError as e:
        raise ValueError(f"cannot read points {text!r}: {e}") from None
    if not isinstance(rows, list) or not rows or any(not isinstance(r, (list, tuple)) or len(r) != 4 for r in rows):
        raise ValueError("points must be handle/target quadruples: 'hx,hy,tx,ty;...'")
    try:
        return [[float(v) for v in r] for r in rows]
    except (TypeError, ValueError):      # JSON nulls, strings, nested lists
        raise ValueError(f"points must be numbers: {text!r}") from None


def request_from_cli(image: Image.Image, prompt: str, negative_prompt: str, points_text: str,
                     mask_image: Optional[Image.Image], params: DragParams) -> DragRequest:
    return request_from_api(image, prompt, negative_prompt, parse_points_text(points_text), mask_image, params)


def execute(adapter, request: DragRequest, progress: Optional[Callable] = None,
            should_stop: Optional[Callable[[], bool]] = None, **engine_kw):
    """Run the engine on a checked request; returns its DragResult (hosts call this in run_drag).

    `engine_kw` go to `drag` as they are (e.g. `cache=`, `model_key=`).  "auto" guidance is
    prompt_cfg when the image came with WebUI infotext (`request.source`), else reference;
    prompt_cfg takes the request's negative prompt.
    """
    from .. import drag  # the engine, imported here so the tab builds without it
    from ..engine.guidance import resolve_mode

    mode = resolve_mode(request.params.guidance_mode, request.source is not None)
    negative = request.negative_prompt if mode == "prompt_cfg" else None
    return drag(adapter, request.image, request.conditioning_prompt, request.handles, request.targets,
                mask=request.mask, params=request.params.replace(guidance_mode=mode), progress=progress,
                should_stop=should_stop, negative_prompt=negative, **engine_kw)
