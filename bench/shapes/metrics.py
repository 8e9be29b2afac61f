"""ShapesDrag metrics, from geometry alone (no learned network).

- where the object went: masked template matching of the object's input pixels over
  integer displacements of the output (sum of squared differences on the object's own
  pixels); the handle point moved by the best displacement;
- lost: the best match is poor (mean squared error above half the object's contrast
  against its own background in the input) or the matched pixels are no closer to the
  object than to the bare scene there (the scene without the object); a lost object is
  scored as not moved (MD_gt = |target - handle|): matching noise or an erased object
  would otherwise "find" it anywhere;
- MD_gt: distance from there to the target; closed: 1 - MD_gt / |target - handle|;
- background fidelity: PSNR and SSIM against the ground-truth image, outside the
  object's old and new area (dilated by one pixel; by four for SSIM's 7x7 windows).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from easydrag_ext.bundled.scenes import object_mask, render

from easydrag_ext.bundled.tasks import DragTask


@dataclass(frozen=True)
class Scores:
    md_gt: float
    closed: float
    bg_psnr: float
    bg_ssim: float
    lost: bool = False


def find_displacement(before: np.ndarray, after: np.ndarray, mask: np.ndarray, radius: int):
    """Integer (dx, dy) that best moves `before`'s masked pixels onto `after`."""
    return match_object(before, after, mask, radius)[0]


def match_object(before: np.ndarray, after: np.ndarray, mask: np.ndarray, radius: int):
    """((dx, dy), mean squared error per value) of the best integer move of the masked pixels."""
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    src = before[ys, xs].astype(np.float32)
    best, best_d = None, (0, 0)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            ty, tx = ys + dy, xs + dx
            ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
            if ok.mean() < 0.6:           # mostly off the image: not a candidate
                continue
            err = ((after[ty[ok], tx[ok]].astype(np.float32) - src[ok]) ** 2).mean()
            if best is None or err < best - 1e-9 or (abs(err - best) <= 1e-9 and dx * dx + dy * dy < sum(v * v for v in best_d)):
                best, best_d = err, (dx, dy)
    return best_d, (float("inf") if best is None else float(best))


def _error_against(after: np.ndarray, reference: np.ndarray, mask: np.ndarray, dx: int, dy: int) -> float:
    """Mean squared error of `after` against `reference` on the mask moved by (dx, dy), inside the image."""
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    ty, tx = ys + dy, xs + dx
    ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
    ty, tx = ty[ok], tx[ok]
    return float(((after[ty, tx].astype(np.float32) - reference[ty, tx]) ** 2).mean())


def ssim_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """SSIM (Wang et al. 2004; Gaussian window sigma 1.5) per pixel, mean over channels."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    blur = lambda x: cv2.GaussianBlur(x, (7, 7), 1.5, borderType=cv2.BORDER_REFLECT)  # noqa: E731
    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b = blur(a * a) - mu_a ** 2, blur(b * b) - mu_b ** 2
    cov = blur(a * b) - mu_a * mu_b
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return s.mean(axis=2) if s.ndim == 3 else s


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return 100.0 if mse == 0 else min(100.0, 10 * math.log10(255.0 ** 2 / mse))


def score(task: DragTask, output) -> Scores:
    before = np.asarray(task.image())
    after = np.asarray(output.convert("RGB"))
    truth = np.asarray(task.answer())
    size = task.scene.size
    old = object_mask(task.obj, size) > 0.5
    moved_obj = task.scene.moved(task.index, *task.offset).objects[task.index]
    new = object_mask(moved_obj, size) > 0.5
    radius = int(math.ceil(task.distance)) + 6
    (dx, dy), err = match_object(before, after, old, radius)
    bare = render(task.scene.without(task.index)).astype(np.float32)
    contrast = float(((before[old].astype(np.float32) - bare[old]) ** 2).mean())
    lost = err > 0.5 * contrast or err >= _error_against(after, bare, old, dx, dy)
    end = task.handle if lost else (task.handle[0] + dx, task.handle[1] + dy)
    md = math.dist(end, task.target)
    area = (old | new).astype(np.uint8)
    keep = ~cv2.dilate(area, np.ones((3, 3), np.uint8)).astype(bool)
    # SSIM's 7x7 windows must not reach into the object's area either
    keep_ssim = ~cv2.dilate(area, np.ones((9, 9), np.uint8)).astype(bool)
    return Scores(md_gt=md, closed=1.0 - md / task.distance, bg_psnr=psnr(after[keep], truth[keep]),
                  bg_ssim=float(ssim_map(after, truth)[keep_ssim].mean()), lost=bool(lost))
