"""Seeded procedural scenes: simple objects on textured backgrounds, with a caption.

Everything is drawn with numpy from a `numpy.random.Generator`, so a seed gives the
same scene on every machine.  Objects are described by `Obj`, so a scene can be
redrawn with an object moved: that is the ground truth of ShapesDrag.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import List, Tuple

import numpy as np

# Seed ranges: training draws its scenes from default_rng(0) on; held-out scenes (benchmark tasks,
# sample grids) from default_rng(HELD_OUT_SEED + i), so no held-out scene was trained on.
HELD_OUT_SEED = 1_000_000

COLOURS = {
    "red": (220, 40, 40), "green": (40, 180, 60), "blue": (40, 80, 220), "yellow": (235, 210, 40),
    "white": (240, 240, 240), "purple": (150, 60, 190), "orange": (240, 140, 30), "cyan": (40, 200, 210),
}
SHAPES = ("disc", "square", "triangle", "star")
BACKGROUNDS = ("plain", "striped", "checkered", "gradient")
BG_COLOURS = {"grey": (110, 110, 110), "dark": (35, 35, 45), "sand": (190, 170, 120), "teal": (40, 110, 110)}


@dataclass(frozen=True)
class Obj:
    shape: str
    colour: str
    x: float          # centre, pixels
    y: float
    r: float          # radius, pixels


@dataclass(frozen=True)
class Scene:
    size: int
    background: str
    bg_colour: str
    phase: float      # texture offset
    objects: Tuple[Obj, ...]

    def caption(self) -> str:
        things = " and ".join(f"a {o.colour} {o.shape}" for o in self.objects)
        return f"{things} on a {self.background} {self.bg_colour} background"

    def moved(self, index: int, dx: float, dy: float) -> "Scene":
        objs = list(self.objects)
        objs[index] = replace(objs[index], x=objs[index].x + dx, y=objs[index].y + dy)
        return replace(self, objects=tuple(objs))

    def without(self, index: int) -> "Scene":
        """The scene with one object taken out: what lies under it."""
        return replace(self, objects=self.objects[:index] + self.objects[index + 1:])


def random_scene(rng: np.random.Generator, size: int = 32, max_objects: int = 2) -> Scene:
    n = int(rng.integers(1, max_objects + 1))
    objs: List[Obj] = []
    colours = list(COLOURS)
    for _ in range(n):
        r = float(rng.uniform(0.13, 0.24) * size)
        objs.append(Obj(str(rng.choice(SHAPES)), str(rng.choice(colours)),
                        float(rng.uniform(r, size - r)), float(rng.uniform(r, size - r)), r))
    return Scene(size, str(rng.choice(BACKGROUNDS)), str(rng.choice(list(BG_COLOURS))),
                 float(rng.uniform(0, 8)), tuple(objs))


def background(scene: Scene) -> np.ndarray:
    s = scene.size
    yy, xx = np.mgrid[:s, :s].astype(np.float32)
    base = np.array(BG_COLOURS[scene.bg_colour], np.float32)
    if scene.background == "plain":
        k = np.zeros((s, s), np.float32)
    elif scene.background == "striped":
        # bands and cells of a quarter of the side: texture a 2x2 latent grid can hold, not
        # 2-4 px patterns that a small denoiser confuses with leftover noise
        k = (np.floor((xx + yy + scene.phase) / (s / 4)) % 2) * 2 - 1
    elif scene.background == "checkered":
        k = ((np.floor((xx + scene.phase) / (s / 4)) + np.floor((yy + scene.phase) / (s / 4))) % 2) * 2 - 1
    else:  # gradient
        k = (yy / (s - 1)) * 2 - 1
    return np.clip(base[None, None] + 35 * k[..., None], 0, 255)


def object_mask(obj: Obj, size: int, supersample: int = 4) -> np.ndarray:
    """Coverage in [0, 1] per pixel (antialiased by supersampling)."""
    n = size * supersample
    c = (np.arange(n, dtype=np.float32) + 0.5) / supersample
    yy, xx = np.meshgrid(c, c, indexing="ij")
    dx, dy = xx - obj.x, yy - obj.y
    if obj.shape == "disc":
        m = dx ** 2 + dy ** 2 <= obj.r ** 2
    elif obj.shape == "square":
        a = obj.r * 0.85
        m = (np.abs(dx) <= a) & (np.abs(dy) <= a)
    elif obj.shape == "triangle":
        h = obj.r
        m = (dy <= 0.5 * h) & (dy >= -h + 2 * np.abs(dx) * 0.87)
    else:  # star: radius modulated by angle, five points
        ang = np.arctan2(dy, dx)
        rad = obj.r * (0.55 + 0.45 * np.cos(5 * ang) ** 2 * (np.cos(5 * ang) > 0))
        m = np.sqrt(dx ** 2 + dy ** 2) <= np.maximum(rad, obj.r * 0.5)
    return m.reshape(size, supersample, size, supersample).mean(axis=(1, 3))


def render(scene: Scene) -> np.ndarray:
    """(size, size, 3) uint8."""
    img = background(scene)
    for obj in scene.objects:
        a = object_mask(obj, scene.size)[..., None]
        img = img * (1 - a) + np.array(COLOURS[obj.colour], np.float32)[None, None] * a
    return np.clip(np.round(img), 0, 255).astype(np.uint8)
