"""Point and size arithmetic: Algorithm 1's next point, the working-size plan, coordinate maps.

Points are (x, y) in pixels, x to the right, y down, everywhere in this package.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

Point = Tuple[float, float]


def next_point(current: Sequence[float], target: Sequence[float], motion_step: float = 12,
               snap_radius: float = 18, size: Optional[Tuple[int, int]] = None) -> Tuple[int, int]:
    """Algorithm 1 as the official code does it, kept on the image.

    Closer than `snap_radius` to the target: the target itself.  Otherwise one
    `motion_step` along the unit direction, each coordinate rounded (half to even,
    like `torch.round` in the official code).  With `size` = (w, h) the point is clamped
    to 0..w-1, 0..h-1: a `motion_step` larger than `snap_radius` overshoots the target and,
    near an edge, would leave the image (an IndexError right and below, a wrapped-around
    read left and above).
    """
    cx, cy = float(current[0]), float(current[1])
    tx, ty = float(target[0]), float(target[1])
    dist = math.hypot(tx - cx, ty - cy)
    if dist < snap_radius or dist == 0:  # arrived: no direction to step in
        x, y = int(round(tx)), int(round(ty))
    else:
        x, y = int(round(cx + (tx - cx) / dist * motion_step)), int(round(cy + (ty - cy) / dist * motion_step))
    if size is not None:
        x, y = clamp_point((x, y), size)
    return x, y


def clamp_point(p: Sequence[int], size: Tuple[int, int]) -> Tuple[int, int]:
    w, h = size
    return min(max(int(p[0]), 0), w - 1), min(max(int(p[1]), 0), h - 1)


@dataclass(frozen=True)
class SizePlan:
    """The input size, the size the model works at, and the maps between them."""

    input_size: Tuple[int, int]  # (W, H)
    work_size: Tuple[int, int]   # (w, h), multiples of `multiple`

    @property
    def resized(self) -> bool:
        return self.input_size != self.work_size

    def to_work(self, p: Sequence[float]) -> Tuple[int, int]:
        """Input pixel -> working pixel, rounded like the official code rounds clicks."""
        (W, H), (w, h) = self.input_size, self.work_size
        x = min(max(int(round(float(p[0]) * w / W)), 0), w - 1)
        y = min(max(int(round(float(p[1]) * h / H)), 0), h - 1)
        return x, y

    def to_input(self, p: Sequence[float]) -> Point:
        (W, H), (w, h) = self.input_size, self.work_size
        return float(p[0]) * W / w, float(p[1]) * H / h


def plan_size(width: int, height: int, long_side: int, multiple: int) -> SizePlan:
    """Scale so the long side is `long_side` with both sides multiples of `multiple`.

    `long_side=0` keeps the input size, which then must already be a multiple.
    """
    if long_side == 0:
        if width % multiple or height % multiple:
            raise ValueError(
                f"image is {width}x{height}; with resize_long_side=0 both sides must be multiples "
                f"of {multiple} (set resize_long_side, e.g. 512, to resize automatically)")
        return SizePlan((width, height), (width, height))
    scale = long_side / max(width, height)
    w = max(multiple, int(round(width * scale / multiple)) * multiple)
    h = max(multiple, int(round(height * scale / multiple)) * multiple)
    return SizePlan((width, height), (w, h))


def points_to_work(plan: SizePlan, points: Sequence[Sequence[float]]) -> List[Tuple[int, int]]:
    return [plan.to_work(p) for p in points]
