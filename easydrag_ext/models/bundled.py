"""The model the standalone runner uses: the bundled ShapesDrag model when present, else the tiny one.

Each comes with parameters scaled to its image size and a demo scene.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Tuple

from PIL import Image

from ..engine import LdmAdapter
from ..params import DragParams


@dataclass
class Bundle:
    name: str
    adapter: LdmAdapter
    params: DragParams                     # defaults suited to this model's image size
    demo: Callable[[], Tuple[Image.Image, str, List[Tuple[float, float]], List[Tuple[float, float]]]]


def load_tiny() -> Bundle:
    from .tiny_ldm import build_tiny_model

    def demo():
        import numpy as np

        yy, xx = np.mgrid[:64, :64]
        arr = np.zeros((64, 64, 3), np.uint8)
        arr[..., 2] = 60
        arr[((xx - 20) ** 2 + (yy - 20) ** 2) < 64] = [220, 40, 40]
        return Image.fromarray(arr), "a red disc", [(20.0, 20.0)], [(40.0, 30.0)]

    params = DragParams(resize_long_side=64, inversion_steps=10, drag_step_index=7, reference_steps=4,
                        max_iterations=40, motion_step=4, snap_radius=6)
    return Bundle("tiny random-weight test model (wiring only: it has learned nothing)",
                  LdmAdapter(build_tiny_model()), params, demo)


def load_default_model() -> Bundle:
    from . import shapes_model

    if not shapes_model.WEIGHTS.exists():   # e.g. while the model is being (re)trained
        return load_tiny()
    return shapes_model.load_bundle()
