"""Live preview: the input image with the current handle positions drawn on it."""
from __future__ import annotations

from typing import Sequence, Tuple

from PIL import Image, ImageDraw


def draw_points(image: Image.Image, handles: Sequence[Tuple[float, float]],
                targets: Sequence[Tuple[float, float]], scale: int = 1) -> Image.Image:
    """Red dots at the (current) handles, blue at the targets, an arrow line between; `scale`
    enlarges the image first (crisp pixels) so that a small image's points stay readable."""
    out = image.convert("RGB").resize((image.width * scale, image.height * scale), Image.NEAREST)
    draw = ImageDraw.Draw(out)
    r = max(2, round(max(out.size) / 100))
    handles = [(x * scale, y * scale) for x, y in handles]
    targets = [(x * scale, y * scale) for x, y in targets]
    for (hx, hy), (tx, ty) in zip(handles, targets):
        draw.line([(hx, hy), (tx, ty)], fill=(255, 255, 255), width=max(1, r // 2))
        draw.ellipse([tx - r, ty - r, tx + r, ty + r], fill=(40, 90, 255))
        draw.ellipse([hx - r, hy - r, hx + r, hy + r], fill=(255, 40, 40))
    return out
