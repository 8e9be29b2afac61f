"""One drag request from the tab or the API, checked before any model work, and its run.

Host-free: the WebUI glue and the standalone app both build a `DragRequest` here and
run it through `execute`, which is the only place that calls the engine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

import numpy as np
from PIL import Image

from ..params import DragParams
from .imagedata import mask_from_image
from .points import parse_canvas_json, parse_points
from .source_info import SourceInfo, check_clip_skip

MAX_SIDE = 4096


@dataclass
class DragRequest:
    image: Image.Image                      # RGB
    prompt: str
    negative_prompt: str
    handles: List[Tuple[float, float]]
    targets: List[Tuple[float, float]]
    mask: Optional[np.ndarray]              # bool (H, W) or None
    params: DragParams = field(default_factory=DragParams)
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
    """Any PIL image (RGBA, L, P, ...) -> RGB; RGBA is composited on white, not cut."""
    if image is None:
        raise ValueError("no image: upload one or send one from another tab")
    if not isinstance(image, Image.Image):
        raise ValueError(f"image must be a picture, got {type(image).__name__}")
    w, h = image.size
    if w < 8 or h < 8 or w > MAX_SIDE or h > MAX_SIDE:
        raise ValueError(f"image is {w}x{h}; each side must be between 8 and {MAX_SIDE} pixels")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        out = Image.new("RGB", image.size, (255, 255, 255))
        out.paste(rgba, mask=rgba.getchannel("A"))
        return out
    return image.convert("RGB") if image.mode != "RGB" else image


def _mask(params: DragParams, canvas_mask, mask_image, size):
    mask = canvas_mask
    if mask is None and mask_image is not None:
        mask = mask_from_image(mask_image, size, what="mask image")
    if params.mask_mode == "user":
        if mask is None:
            raise ValueError("mask mode is 'user' but no mask was painted or uploaded")
        if not mask.any():
            raise ValueError("the mask is empty: paint the area that may change, or use mask mode 'auto'")
    return mask if params.mask_mode == "user" else None


def _extras(added_prompt, clip_skip, source) -> dict:
    if added_prompt is not None and not isinstance(added_prompt, str):
        raise ValueError(f"added_prompt must be text, got {type(added_prompt).__name__}")
    return dict(added_prompt=added_prompt or "", clip_skip=check_clip_skip(clip_skip), source=source)


def request_from_ui(image, prompt, negative_prompt, points_json, mask_image,
                    params: DragParams, source: Optional[SourceInfo] = None, added_prompt: str = "",
                    clip_skip=None) -> DragRequest:
    rgb = prepare_image(image)
    canvas = parse_canvas_json(points_json, rgb.size)
    mask = _mask(params, canvas.mask, mask_image, rgb.size)
    return DragRequest(rgb, prompt or "", negative_prompt or "", canvas.handles, canvas.targets,
                       mask, params, **_extras(added_prompt, clip_skip, source))


def request_from_api(image: Image.Image, prompt: str, negative_prompt: str, points,
                     mask_image: Optional[Image.Image], params: DragParams,
                     source: Optional[SourceInfo] = None, added_prompt: str = "",
                     clip_skip=None) -> DragRequest:
    rgb = prepare_image(image)
    handles, targets = parse_points(points, rgb.size)
    mask = _mask(params, None, mask_image, rgb.size)
    return DragRequest(rgb, prompt or "", negative_prompt or "", handles, targets, mask, params,
                       **_extras(added_prompt, clip_skip, source))


class NaNResultError(RuntimeError):
    """The model produced NaNs (typically an fp16 VAE)."""


NAN_MESSAGE = ("the model produced NaN values (usually an fp16 VAE or UNet overflow); "
               "start the WebUI with --no-half-vae (or --no-half) and try again")


def execute(adapter, request: DragRequest, progress: Optional[Callable] = None,
            should_stop: Optional[Callable[[], bool]] = None, **engine_kw):
    """Run the engine on a checked request; returns its DragResult.

    `engine_kw` go to `drag` as they are (e.g. `cache=`, `model_key=`).  "auto" guidance is
    prompt_cfg when the image came with WebUI infotext (`request.source`), else reference;
    prompt_cfg takes the request's negative prompt.

    Raises the engine's DragCancelled when `should_stop` fires, ValueError for bad input
    and NaNResultError when the result holds NaNs.
    """
    from .. import drag  # the engine, imported here so the tab builds without it
    from ..engine.guidance import resolve_mode

    mode = resolve_mode(request.params.guidance_mode, request.source is not None)
    negative = request.negative_prompt if mode == "prompt_cfg" else None
    result = drag(adapter, request.image, request.conditioning_prompt, request.handles, request.targets,
                  mask=request.mask, params=request.params.replace(guidance_mode=mode), progress=progress,
                  should_stop=should_stop, negative_prompt=negative, **engine_kw)
    if any(not (math.isfinite(x) and math.isfinite(y)) for x, y in result.final_handles):
        raise NaNResultError(NAN_MESSAGE)
    return result


def nan_message(exc: BaseException) -> str:
    """The engine's NaN error names the part that produced it and what to try; the host's does not."""
    if hasattr(exc, "part") and isinstance(exc, FloatingPointError):
        return str(exc)
    return NAN_MESSAGE


def is_nan_error(exc: BaseException) -> bool:
    """Whether an exception from the model is a NaN failure (host NansException or similar)."""
    name = type(exc).__name__
    return isinstance(exc, NaNResultError) or name == "NansException" or "NaN" in str(exc)[:200]

