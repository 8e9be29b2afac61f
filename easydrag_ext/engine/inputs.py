"""Checks and converts what a caller hands to `drag`; every problem is a clear ValueError."""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image

MIN_SIDE = 16
MAX_SIDE = 8192
MAX_POINTS = 64


def check_image(image) -> Image.Image:
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"image array must be (H, W, 3) RGB, got shape {image.shape}")
        if image.dtype != np.uint8:
            raise ValueError(f"image array must be uint8, got {image.dtype}")
        image = Image.fromarray(image)
    if not isinstance(image, Image.Image):
        raise ValueError(f"image must be a PIL image or an (H, W, 3) uint8 array, got {type(image).__name__}")
    if image.mode != "RGB":
        raise ValueError(f"image must be RGB, got mode {image.mode!r}; convert it first "
                         f"(image.convert('RGB'); RGBA transparency is not kept)")
    w, h = image.size
    if w < MIN_SIDE or h < MIN_SIDE:
        raise ValueError(f"image is {w}x{h}; both sides must be at least {MIN_SIDE} pixels")
    if w > MAX_SIDE or h > MAX_SIDE:
        raise ValueError(f"image is {w}x{h}; sides above {MAX_SIDE} pixels are not supported")
    return image


def check_points(handles, targets, size: Tuple[int, int]) -> Tuple[List[Tuple[float, float]], List[Tuple[float, float]]]:
    hs, ts = _as_points("handles", handles), _as_points("targets", targets)
    if not hs:
        raise ValueError("at least one handle/target pair is needed")
    if len(hs) != len(ts):
        raise ValueError(f"every handle needs a target: got {len(hs)} handles and {len(ts)} targets")
    if len(hs) > MAX_POINTS:
        raise ValueError(f"at most {MAX_POINTS} point pairs are supported, got {len(hs)}")
    w, h = size
    for name, pts in (("handle", hs), ("target", ts)):
        for i, (x, y) in enumerate(pts):
            if not (0 <= x <= w - 1 and 0 <= y <= h - 1):
                raise ValueError(f"{name} {i + 1} at ({x:g}, {y:g}) is off the {w}x{h} image")
    return hs, ts


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


def check_mask(mask, size: Tuple[int, int]) -> Optional[np.ndarray]:
    """None, or a bool (H, W) array of the editable region (white / nonzero = editable)."""
    if mask is None:
        return None
    if isinstance(mask, Image.Image):
        arr = np.asarray(mask.convert("L")) > 127
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
