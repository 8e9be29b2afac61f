"""Live preview: the input image with the current handle positions drawn on it."""
from __future__ import annotations

from typing import Sequence, Tuple

from PIL import Image, ImageDraw


def draw_points(image: Image.Image, handles: Sequence[Tuple[float, float]],
                targets: Sequence[Tuple[float, float]]) -> Image.Image:
    """Red dots at the (current) handles, blue at the targets, an arrow line between."""
    out = image.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    r = max(2, round(max(out.size) / 100))
    for (hx, hy), (tx, ty) in zip(handles, targets):
        draw.line([(hx, hy), (tx, ty)], fill=(255, 255, 255), width=max(1, r // 2))
        draw.ellipse([tx - r, ty - r, tx + r, ty + r], fill=(40, 90, 255))
        draw.ellipse([hx - r, hy - r, hx + r, hy + r], fill=(255, 40, 40))
    return out
