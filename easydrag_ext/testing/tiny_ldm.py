"""A seeded random-weight SD-1.x model with ldm's AutoencoderKL: the test suite's model.

It keeps the real block layout at small widths (easydrag_ext/testing/ldm_configs.py), so every
code path the WebUI's SD-1.5 model takes, VAE included, is exercised in seconds on a CPU; the
adapter and the WebUI glue are tested against the same calls they make on a real checkpoint.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn

from ..bundled.latent_diffusion import SmallLatentDiffusion, sd_alphas_cumprod  # noqa: F401  (re-exported)
from . import ldm_configs


class TinyLatentDiffusion(SmallLatentDiffusion):
    """SmallLatentDiffusion with an ldm AutoencoderKL first stage (None: no first stage)."""

    def __init__(self, unet_config: dict, vae_config: Optional[dict], context_dim: int,
                 scale_factor: float = 0.18215):
        self._vae_config = vae_config
        super().__init__(unet_config, context_dim, scale_factor)

    def build_first_stage(self):
        if self._vae_config is None:
            return None
        from ldm.models.autoencoder import AutoencoderKL

        return AutoencoderKL(ddconfig=self._vae_config, lossconfig={"target": "torch.nn.Identity"}, embed_dim=4)


def build_tiny_model(seed: int = 0, model_channels: int = 32, context_dim: int = 32,
                     use_checkpoint: bool = False, vae_ch: int = 32) -> TinyLatentDiffusion:
    """A seeded random-weight SD-1.x-layout model (about 3 M parameters)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = TinyLatentDiffusion(
            ldm_configs.tiny_unet(model_channels, context_dim, use_checkpoint=use_checkpoint),
            ldm_configs.tiny_vae(vae_ch), context_dim)
        # ldm zero-initialises every out projection; random weights there make the tiny
        # model's features depend on attention, so the reference hooks are really tested.
        for name, p in model.model.diffusion_model.named_parameters():
            if p.abs().sum() == 0 and p.dim() > 1:
                nn.init.normal_(p, std=0.02)
        model.eval()
    return model
