"""The paper's losses (eq. 5/6), the auto mask, and feature reads at image resolution.

Features live at latent resolution (1920 channels for SD-1.5 at 64x64).  The method
reads them bilinearly upsampled to image resolution (align_corners=False); these
functions compute exactly those values without materialising the upsampled tensor.
"""
from __future__ import annotations

import math
from typing import Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

COS_EPS = 1e-8  # torch.nn.functional.cosine_similarity's default


def similarity_loss(f: torch.Tensor, f0: torch.Tensor) -> torch.Tensor:
    """Eq. 5: 1 / (1 + (1 + cos(f, sg(f0))) / 2) along the last dimension."""
    cos = F.cosine_similarity(f, f0.detach(), dim=-1, eps=COS_EPS)
    return 1.0 / (1.0 + (1.0 + cos) / 2.0)


def auto_mask(grad: torch.Tensor, threshold: float = 0.4) -> torch.Tensor:
    """Editable region from d(point loss)/d(z_t), shape (1, C, h, w) -> bool (h, w).

    |channel mean|, min-max normalised over the map, > threshold.  A constant map
    has no region that stands out: all False rather than 0/0.
    """
    return normalised_grad(grad) > threshold


def update_gate(editable: torch.Tensor, latent_hw: Tuple[int, int], margin_px: int) -> torch.Tensor:
    """Latent cells the update may change: those `editable` (bool (H, W), image pixels) touches,
    grown by `margin_px` pixels, as a float (1, 1, h, w) map of 0 and 1.

    Adam moves every cell whose gradient is not exactly zero by about lr per step, however small
    that gradient is; without a gate the whole latent drifts and the background decodes as noise.
    """
    h, w = latent_hw
    H, W = editable.shape
    touched = F.adaptive_max_pool2d(editable[None, None].float(), (h, w))
    cells = int(math.ceil(margin_px * max(h / H, w / W) - 1e-9))
    if cells <= 0:
        return touched
    return F.max_pool2d(touched, 2 * cells + 1, stride=1, padding=cells)


def normalised_grad(grad: torch.Tensor) -> torch.Tensor:
    g = grad.detach()[0].float().mean(0).abs()
    lo, hi = g.min(), g.max()
    if not torch.isfinite(hi - lo) or hi - lo <= 0:
        return torch.zeros_like(g)
    return (g - lo) / (hi - lo)


def axis_weights(out_size: int, in_size: int, device=None) -> Tuple[torch.Tensor, ...]:
    """Bilinear (align_corners=False) taps along one axis: (i0, i1, w0, w1) per output index.

    Mirrors PyTorch's upsample_bilinear2d source-index rule, so reads match
    `F.interpolate(..., mode="bilinear")` to float rounding.
    """
    scale = in_size / out_size
    src = ((torch.arange(out_size, dtype=torch.float64) + 0.5) * scale - 0.5).clamp_min(0.0)
    i0 = src.floor().long().clamp_max(in_size - 1)
    i1 = (i0 + 1).clamp_max(in_size - 1)
    w1 = (src - i0.double()).float()
    w0 = 1.0 - w1
    return tuple(t.to(device) for t in (i0, i1, w0, w1))


def _taps(out_size: int, in_size: int, i: int) -> Tuple[int, int, float, float]:
    """axis_weights' (i0, i1, w0, w1) at output index `i` as Python numbers, in float32 arithmetic."""
    scale = in_size / out_size
    src = max((i + 0.5) * scale - 0.5, 0.0)
    i0 = min(int(math.floor(src)), in_size - 1)
    i1 = min(i0 + 1, in_size - 1)
    w1 = np.float32(src - i0)
    return i0, i1, np.float32(1.0) - w1, w1


def sample_points(feat: torch.Tensor, points: Sequence[Sequence[int]], out_hw: Tuple[int, int]) -> torch.Tensor:
    """Upsampled features at integer pixels (x, y): (1, C, h, w) -> (N, C).

    The taps and weights are Python numbers and the reads plain views, so a read costs no
    host-device copy or sync (this runs several times per drag iteration); the float32 weight
    products are rounded exactly as the tensor version rounded them.
    """
    _, _, h, w = feat.shape
    H, W = out_hw
    f = feat[0]
    f = f.to(torch.promote_types(f.dtype, torch.float32))   # as half * float32 weights promoted
    cols = []
    for p in points:
        # clamped to the image: a point off it reads the nearest edge pixel, never wraps around
        y0, y1, wy0, wy1 = _taps(H, h, min(max(int(p[1]), 0), H - 1))
        x0, x1, wx0, wx1 = _taps(W, w, min(max(int(p[0]), 0), W - 1))
        cols.append(f[:, y0, x0] * float(wy0 * wx0) + f[:, y0, x1] * float(wy0 * wx1)
                    + f[:, y1, x0] * float(wy1 * wx0) + f[:, y1, x1] * float(wy1 * wx1))
    return torch.stack(cols, dim=1).t()


def _shifted_dots(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """D[k, i, j] = <a[:, i, j], b[:, i+dy, j+dx]> for the 9 offsets k = (dy+1)*3 + (dx+1)."""
    _, h, w = a.shape
    bp = F.pad(b, (1, 1, 1, 1))
    return torch.stack([(a * bp[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]).sum(0)
                        for dy in (-1, 0, 1) for dx in (-1, 0, 1)])


class UpsampledCosine:
    """Per-pixel cos(up(F), up(F0)) at image resolution, computed from latent-resolution maps.

    <up(a), up(b)>(p) = sum over the 2x2 taps c, d of w_c w_d <a[c], b[d]>, and taps are
    at most one cell apart, so 9 shifted channel dot products at latent resolution hold
    everything; the 1920-channel image-resolution tensors never exist.
    """

    def __init__(self, f0: torch.Tensor, out_hw: Tuple[int, int]):
        _, _, h, w = f0.shape
        H, W = out_hw
        dev = f0.device
        y0, y1, wy0, wy1 = axis_weights(H, h, dev)
        x0, x1, wx0, wx1 = axis_weights(W, w, dev)
        rows = [(y0, wy0), (y1, wy1)]
        cols = [(x0, wx0), (x1, wx1)]
        # The four taps of every pixel: (row index, col index, weight), each (H, W).
        self.taps = [(ry[:, None].expand(H, W), cx[None, :].expand(H, W), wy[:, None] * wx[None, :])
                     for ry, wy in rows for cx, wx in cols]
        self.f0 = f0.detach()[0].float()
        self.n0 = self._gather(_shifted_dots(self.f0, self.f0))

    def _gather(self, dots: torch.Tensor) -> torch.Tensor:
        total = None
        for yc, xc, wc in self.taps:
            for yd, xd, wd in self.taps:
                k = (yd - yc + 1) * 3 + (xd - xc + 1)
                term = dots[k, yc, xc] * (wc * wd)
                total = term if total is None else total + term
        return total

    def __call__(self, f: torch.Tensor) -> torch.Tensor:
        a = f[0].float()
        dot = self._gather(_shifted_dots(a, self.f0))
        na = self._gather(_shifted_dots(a, a))
        # cosine_similarity clamps each norm at eps before dividing.
        return dot / (na.clamp_min(0).sqrt().clamp_min(COS_EPS) * self.n0.clamp_min(0).sqrt().clamp_min(COS_EPS))


class KeepRegion:
    """The pixels eq. 6 keeps, prepared once per mask: their flat indices (one sync here, none per
    iteration) gather exactly what `cos_map[keep]` gathers, in the same order, so sums agree."""

    def __init__(self, keep: torch.Tensor):
        self.shape = tuple(keep.shape)
        self.index = keep.reshape(-1).nonzero().squeeze(1)
        self.count = keep.sum()
        self.any = self.index.numel() > 0


def keep_term(cos_map: torch.Tensor, keep, weight: float) -> torch.Tensor:
    """Eq. 6's mask term: weight / (1 + S), S = (mean cos over kept pixels + 1) / 2.

    `keep` is a bool (H, W) map or a KeepRegion made from one."""
    if not isinstance(keep, KeepRegion):
        keep = KeepRegion(keep)
    s = (cos_map.reshape(-1).index_select(0, keep.index).sum() / keep.count + 1.0) / 2.0
    return weight / (1.0 + s)
