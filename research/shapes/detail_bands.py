"""Diagnostics of the Haar difference bands of ShapesDrag latents: where the 2x2 grain comes from."""
from __future__ import annotations

import torch

from easydrag_ext.bundled.model import LATENT_CHANNELS


def detail_offset(z: torch.Tensor) -> torch.Tensor:
    """Per image: mean |spatial mean| of the Haar difference bands of latent `z` (B, 12, h, w).

    A constant difference band decodes to a regular 2x2 colour pattern over the whole image.
    Scenes have almost none (their differences are edges and gentle gradients, which cancel
    or stay small); the grain of the samples is mostly this (research/NOTES.md).
    """
    b, _, h, w = z.shape
    return z.reshape(b, 3, 4, h, w)[:, :, 1:].mean(dim=(3, 4)).abs().mean(dim=(1, 2))


def without_detail_offset(z: torch.Tensor) -> torch.Tensor:
    """`z` with each difference band's spatial mean removed; the block averages untouched."""
    b, _, h, w = z.shape
    bands = z.reshape(b, 3, 4, h, w)
    details = bands[:, :, 1:] - bands[:, :, 1:].mean(dim=(3, 4), keepdim=True)
    return torch.cat([bands[:, :, :1], details], dim=2).reshape(b, LATENT_CHANNELS, h, w)
