"""The bundled model's demo drag (`python -m easydrag_ext demo`, `make demo`)."""
from __future__ import annotations

from typing import List, Tuple

from PIL import Image

from .scenes import Obj, Scene, render

Point = Tuple[float, float]


def demo_drag() -> Tuple[Image.Image, str, List[Point], List[Point]]:
    """A red disc on a plain grey background, moved 10 px to the right: image, prompt, handles, targets."""
    disc = Obj("disc", "red", 10.0, 16.0, 6.0)
    scene = Scene(32, "plain", "grey", 0.0, (disc,))
    handle = (round(disc.x), round(disc.y))
    return Image.fromarray(render(scene)), scene.caption(), [handle], [(handle[0] + 10, handle[1])]
