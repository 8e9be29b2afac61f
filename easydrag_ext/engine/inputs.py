"""Checks and converts what a caller hands to `drag`; every problem is a clear ValueError.

One set of limits and one conversion rule for every front end (tab, API, CLI, Python):

- image sides MIN_SIDE..MAX_SIDE pixels and at most MAX_PIXELS pixels in all;
- at most MAX_POINTS handle/target pairs; a point is a pixel of the image:
  0 <= x <= width - 1 and 0 <= y <= height - 1 (fractions allowed);
- at least one pair must move: a handle on its target's pixel (both rounded to whole pixels,
  as the drag rounds them) has nowhere to go, and if every pair is like that the drag is
  refused before any model work (`check_movement`); such pairs among others are kept;
- colour modes (`to_rgb`): 16-bit is scaled to 8-bit, a palette is expanded, alpha is
  composited on white, CMYK and the other colour spaces are converted to RGB;
- masks (`mask_array`): the alpha channel where it varies (strokes on a transparent layer),
  else brightness (the brightest channel), above half = editable.
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image

MIN_SIDE = 16
MAX_SIDE = 4096
MAX_PIXELS = 4096 * 4096
MAX_POINTS = 64


class DragRefused(ValueError):
    """The input is valid but this model or machine cannot run it (memory, model type, busy)."""


def check_size(w: int, h: int, what: str = "image") -> None:
    """The one size rule; front ends call it on a file's header before decoding its pixels."""
    if w < MIN_SIDE or h < MIN_SIDE:
        raise ValueError(f"{what} is {w}x{h}; both sides must be at least {MIN_SIDE} pixels")
    if w > MAX_SIDE or h > MAX_SIDE:
        raise ValueError(f"{what} is {w}x{h}; sides above {MAX_SIDE} pixels are not supported")
    if w * h > MAX_PIXELS:
        raise ValueError(f"{what} is {w}x{h} = {w * h} pixels; at most {MAX_PIXELS} are supported")


def to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit greyscale ('I;16*', 'I', 'F') -> 'L', scaled rather than clipped."""
    if image.mode.startswith("I;16"):
        arr = np.asarray(image).astype(np.float64) / 257.0
    elif image.mode == "I":
        arr = np.asarray(image).astype(np.float64)
        if arr.max(initial=0) > 255:      # a 16-bit file decoded as 32-bit ints
            arr = arr / 257.0
    elif image.mode == "F":
        arr = np.asarray(image).astype(np.float64)
        if not np.isfinite(arr).all():
            raise ValueError("image holds NaN or infinite values")
        if arr.max(initial=0) <= 1.0:     # a [0, 1] float image
            arr = arr * 255.0
    else:
        return image
    return Image.fromarray(np.clip(np.round(arr), 0, 255).astype(np.uint8), mode="L")


def to_rgb(image: Image.Image) -> Image.Image:
    """The one conversion rule: any PIL mode -> RGB (see the module docstring)."""
    image = to_8bit(image)
    if image.mode == "RGB":
        return image
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info or image.palette.mode == "RGBA"
                              else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        out = Image.new("RGB", image.size, (255, 255, 255))
        out.paste(rgba, mask=rgba.getchannel("A"))
        return out
    try:
        return image.convert("RGB")
    except ValueError:
        raise ValueError(f"image mode {image.mode!r} cannot be converted to RGB") from None


def check_image(image) -> Image.Image:
    """An RGB PIL image within the limits; other PIL modes are converted by `to_rgb`."""
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"image array must be (H, W, 3) RGB, got shape {image.shape}")
        if image.dtype != np.uint8:
            raise ValueError(f"image array must be uint8, got {image.dtype}")
        image = Image.fromarray(image)
    if not isinstance(image, Image.Image):
        raise ValueError(f"image must be a PIL image or an (H, W, 3) uint8 array, got {type(image).__name__}")
    check_size(*image.size)
    return to_rgb(image)


def check_points(handles, targets, size: Tuple[int, int]) -> Tuple[List[Tuple[float, float]], List[Tuple[float, float]]]:
    hs, ts = _as_points("handles", handles), _as_points("targets", targets)
    if not hs:
        raise ValueError("at least one handle/target pair is needed")
    if len(hs) != len(ts):
        raise ValueError(f"every handle needs a target: got {len(hs)} handles and {len(ts)} targets")
    check_point_count(len(hs))
    for i, (h, t) in enumerate(zip(hs, ts), start=1):
        check_point_inside(i, "handle", h, size)
        check_point_inside(i, "target", t, size)
    check_movement(hs, ts)
    return hs, ts


NOTHING_TO_MOVE = "every handle is already on its target: drag a target away from its handle"


def check_movement(handles, targets, work_size: Optional[Tuple[int, int]] = None) -> None:
    """Refuse pairs that all sit on their targets' pixels (rounded half to even, like the drag's
    own rounding); `work_size`: the points are in the working size's pixels, which the message
    names (a resize can round a short drag away)."""
    def pixel(p):
        return int(round(float(p[0]))), int(round(float(p[1])))

    if handles and all(pixel(h) == pixel(t) for h, t in zip(handles, targets)):
        if work_size is None:
            raise ValueError(NOTHING_TO_MOVE)
        raise ValueError(f"{NOTHING_TO_MOVE} (at the working size {work_size[0]}x{work_size[1]} every "
                         f"drag rounds to no movement; drag further or raise 'Resize long side')")


def check_point_count(n: int) -> None:
    if n > MAX_POINTS:
        raise ValueError(f"at most {MAX_POINTS} point pairs are supported, got {n}")


def check_point_inside(i: int, which: str, p: Sequence[float], size: Tuple[int, int]) -> None:
    """The one point rule: 0 <= x <= w - 1 and 0 <= y <= h - 1 (`i` counts from 1)."""
    w, h = size
    x, y = float(p[0]), float(p[1])
    if not (0 <= x <= w - 1 and 0 <= y <= h - 1):
        raise ValueError(f"{which} {i} at ({x:g}, {y:g}) is off the {w}x{h} image "
                         f"(x must be 0 to {w - 1}, y 0 to {h - 1})")


def _as_points(name: str, pts) -> List[Tuple[float, float]]:
    if pts is None:
        return []
    out = []
    for i, p in enumerate(pts):
        try:
            x, y = (float(v) for v in p)
        except (TypeError, ValueError):
            raise ValueError(f"{name}[{i}] must be an (x, y) pair of numbers, got {p!r}") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"{name}[{i}] must be finite, got {p!r}")
        out.append((x, y))
    return out


def mask_array(img: Image.Image) -> np.ndarray:
    """The one mask rule for images: alpha where it varies, else brightness; above half = editable.

    A canvas or a paint program puts strokes of any colour on a transparent layer, so then
    opacity is the paint; an opaque mask is white (or any bright colour) on black.
    """
    img = to_8bit(img)
    if img.mode == "P":
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        alpha = np.asarray(img.getchannel("A"))
        if alpha.min() != alpha.max():
            return alpha > 127
    if img.mode not in ("L", "1"):
        return np.asarray(img.convert("RGB")).max(axis=2) > 127
    return np.asarray(img.convert("L")) > 127


def check_mask(mask, size: Tuple[int, int]) -> Optional[np.ndarray]:
    """None, or a bool (H, W) array of the editable region (white / nonzero = editable)."""
    if mask is None:
        return None
    if isinstance(mask, Image.Image):
        arr = mask_array(mask)
    elif isinstance(mask, (np.ndarray, torch.Tensor)):
        arr = np.asarray(mask.detach().cpu() if isinstance(mask, torch.Tensor) else mask)
        if arr.ndim == 3 and arr.shape[2] in (1, 3, 4):
            arr = arr[..., :3].max(axis=2) if arr.shape[2] != 1 else arr[..., 0]
        if arr.ndim != 2:
            raise ValueError(f"mask must be a 2-D (H, W) array, got shape {arr.shape}")
        if arr.dtype == bool:
            pass
        elif arr.dtype == np.uint8:
            arr = arr > 127
        else:
            if not np.isfinite(arr).all():
                raise ValueError("mask contains NaN or infinite values")
            arr = arr > 0.5
    else:
        raise ValueError(f"mask must be a PIL image or an array, got {type(mask).__name__}")
    w, h = size
    if arr.shape != (h, w):
        raise ValueError(f"mask is {arr.shape[1]}x{arr.shape[0]} but the image is {w}x{h}")
    return arr


def image_to_tensor(image: Image.Image) -> torch.Tensor:
    """PIL RGB -> (1, 3, H, W) float in [-1, 1]."""
    arr = torch.from_numpy(np.asarray(image, dtype=np.uint8).copy()).float()
    return (arr / 127.5 - 1.0).permute(2, 0, 1)[None]


def tensor_to_image(x: torch.Tensor) -> Image.Image:
    arr = ((x[0].permute(1, 2, 0).float().cpu() + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8)
    return Image.fromarray(arr.numpy())
