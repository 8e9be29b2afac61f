"""LdmAdapter: what the engine needs from an ldm LatentDiffusion-like model, and nothing else.

Works on the WebUI's `shared.sd_model` (SD-1.x) and on the bundled/tiny models, which
offer the same methods.  It never changes the model: it only calls it.
"""
from __future__ import annotations

import contextlib
from typing import Optional

import torch


class LdmAdapter:
    def __init__(self, sd_model, device: Optional[torch.device] = None):
        if getattr(sd_model, "is_sdxl", False) or hasattr(sd_model, "conditioner"):
            raise ValueError("SDXL models are not supported yet by EasyDrag; load an SD-1.x checkpoint")
        if getattr(sd_model, "parameterization", "eps") != "eps":
            raise ValueError("v-prediction models (e.g. SD-2.x 768-v) are not supported yet by EasyDrag; "
                             "load an SD-1.x (epsilon) checkpoint")
        unet = getattr(getattr(sd_model, "model", None), "diffusion_model", None)
        if unet is None or not hasattr(unet, "output_blocks"):
            raise ValueError("this model has no ldm UNet at model.diffusion_model (Forge and other "
                             "back ends are not supported yet)")
        if len(unet.output_blocks) != 12 or not hasattr(unet, "channel_mult"):
            raise ValueError("EasyDrag needs an SD-1.x-style UNet with 12 output blocks")
        self.sd_model = sd_model
        self.unet = unet
        self._device = device

    # -- facts ---------------------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        return self._device or next(self.unet.parameters()).device

    @property
    def unet_dtype(self) -> torch.dtype:
        return next(self.unet.parameters()).dtype

    @property
    def alphas_cumprod(self) -> torch.Tensor:
        return torch.as_tensor(self.sd_model.alphas_cumprod).detach().double().cpu()

    @property
    def unet_downsampling(self) -> int:
        return 2 ** (len(self.unet.channel_mult) - 1)

    @property
    def latent_step_scale(self) -> Optional[torch.Tensor]:
        """Per latent channel, how far a drag step goes, if the model says (`latent_step_scale`,
        one number per channel); SD models do not, and every channel steps alike."""
        scale = getattr(self.sd_model, "latent_step_scale", None)
        if scale is None:
            return None
        return torch.as_tensor(scale, dtype=torch.float32, device=self.device).reshape(1, -1, 1, 1)

    def autocast(self):
        """fp16/bf16 weights run under autocast (the WebUI's default); fp32 runs plainly."""
        if self.unet_dtype in (torch.float16, torch.bfloat16):
            return torch.autocast(self.device.type, dtype=self.unet_dtype)
        return contextlib.nullcontext()

    # -- model calls ---------------------------------------------------------------------
    @torch.no_grad()
    def text_context(self, prompt: str) -> torch.Tensor:
        with self.autocast():
            c = self.sd_model.get_learned_conditioning([prompt])
        if isinstance(c, dict):
            raise ValueError("this model's conditioning is not a plain tensor (SDXL?); not supported yet")
        return c.to(self.device)

    def _vae_dtype(self) -> torch.dtype:
        vae = getattr(self.sd_model, "first_stage_model", None)
        p = next(vae.parameters(), None) if vae is not None else None
        return p.dtype if p is not None else torch.float32

    @torch.no_grad()
    def encode(self, image: torch.Tensor) -> torch.Tensor:
        """Image in [-1, 1], (1, 3, H, W) -> latent.  Uses the posterior mean: deterministic."""
        x = image.to(self.device, self._vae_dtype())
        posterior = self.sd_model.encode_first_stage(x)
        mean = posterior if isinstance(posterior, torch.Tensor) else posterior.mean
        return self.sd_model.get_first_stage_encoding(mean).float()

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        x = self.sd_model.decode_first_stage(z.to(self._vae_dtype()))
        return x.float().clamp(-1, 1)
