"""The canvas <-> Python JSON contract, parsed and checked host-free.

Input (`#easydrag_points_json`): `{"points": [[hx, hy, tx, ty], ...], "mask": <PNG data URL
or null>, "size": [w, h]}` in native image pixels, or a bare `[[hx, hy, tx, ty], ...]`.
Output (`#easydrag_result_json`): `{"final_handles": [[x, y], ...], "mask_heat": <PNG data
URL or null>, "size": [w, h]}`.  Every error says which point or key is wrong.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from ..engine.inputs import check_movement, check_point_count, check_point_inside
from .imagedata import decode_image, heat_to_data_url, mask_from_image


@dataclass
class CanvasInput:
    handles: List[Tuple[float, float]]
    targets: List[Tuple[float, float]]
    mask: Optional[np.ndarray]          # bool (H, W) or None


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def parse_points(points: Any, size: Tuple[int, int]) -> Tuple[list, list]:
    """`[[hx, hy, tx, ty], ...]` -> (handles, targets), every value checked against `size` and at
    least one pair that moves (the engine's rules; the one point parser of the tab, API and CLI)."""
    if not isinstance(points, list):
        raise ValueError("points must be a list of [hx, hy, tx, ty]")
    if not points:
        raise ValueError("no points: add at least one handle and its target")
    if all(_number(v) for v in points):
        raise ValueError("points must be a list of [hx, hy, tx, ty] lists, one per handle; "
                         f"got a flat list of {len(points)} numbers")
    check_point_count(len(points))
    handles, targets = [], []
    for i, p in enumerate(points, start=1):
        if not isinstance(p, (list, tuple)) or len(p) != 4:
            n = len(p) if isinstance(p, (list, tuple)) else "not a list"
            raise ValueError(f"point {i} must be [hx, hy, tx, ty] (a handle and its target), got {n}"
                             f"{' values' if isinstance(n, int) else ''}: {json.dumps(p)[:60]}")
        if not all(_number(v) for v in p):
            raise ValueError(f"point {i} must hold 4 finite numbers, got {json.dumps(p)[:60]}")
        hx, hy, tx, ty = (float(v) for v in p)
        check_point_inside(i, "handle", (hx, hy), size)     # the engine's one rule
        check_point_inside(i, "target", (tx, ty), size)
        handles.append((hx, hy))
        targets.append((tx, ty))
    check_movement(handles, targets)
    return handles, targets


def parse_canvas_json(text: Optional[str], size: Tuple[int, int]) -> CanvasInput:
    """Parse the points textbox for an image of `size` = (w, h)."""
    if text is None or not str(text).strip():
        raise ValueError("no points: add at least one handle and its target")
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ValueError(f"points are not valid JSON ({e})") from None
    mask = None
    if isinstance(data, dict):
        if "points" not in data:
            raise ValueError('points JSON must have a "points" key')
        if data.get("size") is not None:
            s = data["size"]
            if not (isinstance(s, list) and len(s) == 2 and all(_number(v) for v in s)):
                raise ValueError(f'"size" must be [width, height], got {json.dumps(s)[:40]}')
            if (int(s[0]), int(s[1])) != tuple(size):
                raise ValueError(f"the canvas is {int(s[0])}x{int(s[1])} but the image is "
                                 f"{size[0]}x{size[1]}; load the image into the canvas again")
        if data.get("mask") is not None:
            if not isinstance(data["mask"], str) or not data["mask"].startswith("data:image/png;base64,"):
                raise ValueError('"mask" must be a PNG data URL (data:image/png;base64,...) or null')
            mask = mask_from_image(decode_image(data["mask"], what="mask"), size)
        points = data["points"]
    else:
        points = data
    handles, targets = parse_points(points, size)
    return CanvasInput(handles, targets, mask)


def result_json(final_handles: Sequence[Sequence[float]], mask_heat: Optional[np.ndarray],
                size: Tuple[int, int]) -> str:
    return json.dumps({
        "final_handles": [[round(float(x), 2), round(float(y), 2)] for x, y in final_handles],
        "mask_heat": heat_to_data_url(mask_heat),
        "size": [int(size[0]), int(size[1])],
    })
