"""An SD-1.x-shaped latent diffusion model built from the real ldm UNet class.

It offers the surface the WebUI's `shared.sd_model` offers for SD-1.5 (`model.diffusion_model`,
`first_stage_model`, `cond_stage_model`, `get_learned_conditioning`, `encode_first_stage`,
`get_first_stage_encoding`, `decode_first_stage`, `apply_model`, `alphas_cumprod`,
`parameterization`), so the engine drives the bundled model with the same calls it makes on a
real checkpoint.  The first stage is left to subclasses (the bundled model's is a fixed Haar
transform; the test model in `easydrag_ext.testing` uses ldm's AutoencoderKL).
`ldm.models.diffusion.ddpm` itself is not used: it needs torchvision.
"""
from __future__ import annotations

import hashlib
from typing import List, Optional, Sequence

import torch
import torch.nn as nn


def sd_alphas_cumprod(steps: int = 1000, start: float = 0.00085, end: float = 0.012) -> torch.Tensor:
    """The SD-1.x "linear" schedule (linear in sqrt(beta)), as ldm's make_beta_schedule builds it."""
    betas = torch.linspace(start ** 0.5, end ** 0.5, steps, dtype=torch.float64) ** 2
    return torch.cumprod(1.0 - betas, dim=0).to(torch.float32)


class HashTextEncoder(nn.Module):
    """A deterministic stand-in for CLIP: words hash to rows of a seeded embedding table."""

    def __init__(self, context_dim: int, vocab: int = 997, max_length: int = 77):
        super().__init__()
        self.max_length = max_length
        self.vocab = vocab
        self.embedding = nn.Embedding(vocab + 1, context_dim)
        self.position = nn.Parameter(torch.randn(max_length, context_dim) * 0.02)

    def tokens(self, text: str) -> List[int]:
        ids = [1 + int(hashlib.sha1(w.encode("utf8")).hexdigest(), 16) % self.vocab
               for w in text.lower().replace(",", " ").split()]
        ids = ids[: self.max_length]
        return ids + [0] * (self.max_length - len(ids))

    def forward(self, texts: Sequence[str]) -> torch.Tensor:
        ids = torch.tensor([self.tokens(t) for t in texts], device=self.position.device)
        return self.embedding(ids) + self.position

    def encode(self, texts):
        return self(texts)


class _Wrapper(nn.Module):
    """Mirrors ldm's DiffusionWrapper: the UNet lives at `.diffusion_model`."""

    def __init__(self, unet: nn.Module):
        super().__init__()
        self.diffusion_model = unet
        self.conditioning_key = "crossattn"


class SmallLatentDiffusion(nn.Module):
    """SD-1.x-shaped latent diffusion model from real ldm modules (see module docstring)."""

    is_sd1 = True
    is_sd2 = False
    is_sdxl = False
    parameterization = "eps"

    def __init__(self, unet_config: dict, context_dim: int, scale_factor: float = 0.18215):
        super().__init__()
        from ldm.modules.diffusionmodules.openaimodel import UNetModel

        # Built in this order (UNet, first stage, text encoder) so a seed gives the same weights.
        self.model = _Wrapper(UNetModel(**unet_config))
        self.first_stage_model = self.build_first_stage()
        self.cond_stage_model = HashTextEncoder(context_dim)
        self.scale_factor = scale_factor
        self.num_timesteps = 1000
        self.register_buffer("alphas_cumprod", sd_alphas_cumprod(self.num_timesteps))
        self.eval()

    def build_first_stage(self) -> Optional[nn.Module]:
        """The autoencoder module, or None where encode/decode_first_stage are computed directly."""
        return None

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @torch.no_grad()
    def get_learned_conditioning(self, texts: Sequence[str]) -> torch.Tensor:
        return self.cond_stage_model(list(texts))

    def encode_first_stage(self, x: torch.Tensor):
        return self.first_stage_model.encode(x)

    def get_first_stage_encoding(self, encoder_posterior) -> torch.Tensor:
        from ldm.modules.distributions.distributions import DiagonalGaussianDistribution

        if isinstance(encoder_posterior, DiagonalGaussianDistribution):
            z = encoder_posterior.sample()
        elif isinstance(encoder_posterior, torch.Tensor):
            z = encoder_posterior
        else:
            raise NotImplementedError(type(encoder_posterior))
        return self.scale_factor * z

    def decode_first_stage(self, z: torch.Tensor) -> torch.Tensor:
        return self.first_stage_model.decode(z / self.scale_factor)

    def apply_model(self, x_noisy, t, cond, **kwargs):
        return self.model.diffusion_model(x_noisy, t, context=cond)
