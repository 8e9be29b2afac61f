"""LdmAdapter: what the engine needs from an ldm LatentDiffusion-like model, and nothing else.

Works on the WebUI's `shared.sd_model` (SD-1.x) and on the bundled/tiny models, which
offer the same methods.  It never changes the model: it only calls it.

What the host decides about precision (the WebUI's `devices` and settings) comes in as a
`HostPrecision`; the engine never imports the host.
"""
from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from typing import Optional

import torch

# float8 storage dtypes (WebUI Settings -> "FP8 weight"); absent on old torch builds
FP8_DTYPES = tuple(getattr(torch, n) for n in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz")
                   if hasattr(torch, n))


class NanError(FloatingPointError):
    """NaN/inf in a phase's result; `part` is "unet" or "vae", `phase` where it was seen."""

    def __init__(self, message: str, part: str, phase: str):
        super().__init__(message)
        self.part, self.phase = part, phase


@dataclass(frozen=True)
class HostPrecision:
    """The host's precision choices; the defaults are what a plain model implies.

    compute_dtype: the dtype the host computes the UNet in (WebUI: `devices.dtype_inference`,
        float16 for fp8 weights on CUDA, bfloat16 on a CPU); None: from the weights.
    upcast_sampling: `--upcast-sampling` (`devices.unet_needs_upcast`): fp16 UNet, inputs cast to
        its dtype and outputs back to float32, as the WebUI's `apply_model` does.
    upcast_attn: Settings "Upcast cross attention layer to float32": the drag's attention runs in fp32.
    vae_fp32_retry: `auto_vae_precision`: a VAE decode that gives NaN is retried once in float32
        (the model is cast for that decode and cast back, so the host keeps its weights).
    no_half / no_half_vae: the flags already given, so the NaN hint does not suggest them again.
    """
    compute_dtype: Optional[torch.dtype] = None
    upcast_sampling: bool = False
    upcast_attn: bool = False
    vae_fp32_retry: bool = True
    no_half: bool = False
    no_half_vae: bool = False


class LdmAdapter:
    def __init__(self, sd_model, device: Optional[torch.device] = None, host: HostPrecision = HostPrecision()):
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
        self.host = host
        self.vae_retried = False        # set when a decode was redone in float32

    # -- facts ---------------------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        return self._device or next(self.unet.parameters()).device

    @property
    def unet_dtype(self) -> torch.dtype:
        """The storage dtype of the UNet's weights (float8 under "FP8 weight")."""
        return next(self.unet.parameters()).dtype

    @property
    def fp8(self) -> bool:
        return any(p.dtype in FP8_DTYPES for p in self.unet.parameters())

    @property
    def compute_dtype(self) -> torch.dtype:
        """The dtype the UNet computes in.  fp8 weights are storage only: the WebUI runs them under
        autocast, which casts each weight on the fly; the norms keep their own dtype."""
        if self.host.compute_dtype is not None:
            return self.host.compute_dtype
        if not self.fp8:
            return self.unet_dtype
        others = {p.dtype for p in self.unet.parameters() if p.dtype not in FP8_DTYPES}
        if torch.float16 in others or torch.bfloat16 in others:
            return torch.float16 if torch.float16 in others else torch.bfloat16
        return torch.bfloat16 if self.device.type == "cpu" else torch.float16   # as devices.autocast()

    @property
    def alphas_cumprod(self) -> torch.Tensor:
        """The model's own schedule: the WebUI keeps it as `alphas_cumprod_original` and rewrites
        `alphas_cumprod` before each sampling (fp16 downcast, Zero Terminal SNR options)."""
        ac = getattr(self.sd_model, "alphas_cumprod_original", None)
        if ac is None:
            ac = self.sd_model.alphas_cumprod
        return torch.as_tensor(ac).detach().double().cpu()

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
        """fp16/bf16 (and fp8-stored) weights run under autocast (the WebUI's default); fp32 runs plainly."""
        dtype = self.compute_dtype
        if dtype in (torch.float16, torch.bfloat16):
            if self.device.type == "cpu" and not _cpu_autocasts(dtype):
                dtype = torch.bfloat16      # torch < 2.2 autocasts the CPU to bfloat16 only
            return torch.autocast(self.device.type, dtype=dtype)
        return contextlib.nullcontext()

    def unet_inputs(self, *tensors: torch.Tensor):
        """--upcast-sampling: the UNet gets its inputs in its own dtype (the WebUI's `apply_model`)."""
        if not self.host.upcast_sampling:
            return tensors
        return tuple(t.to(self.unet.dtype) if t.is_floating_point() else t for t in tensors)

    # -- NaN -------------------------------------------------------------------------------
    def nan_hint(self, part: str) -> str:
        """What to try when `part` ("unet" or "vae") produced NaN, leaving out flags already given."""
        if part == "vae":
            if self.host.no_half or self.host.no_half_vae or self._vae_dtype() == torch.float32:
                return "the VAE produced NaN even in float32; the image or checkpoint may be broken"
            return "the VAE produced NaN in half precision: try --no-half-vae"
        if self.host.no_half or self.compute_dtype == torch.float32:
            return "the UNet produced NaN even in float32; the checkpoint may be broken"
        if self.host.upcast_sampling:
            return ("the UNet produced NaN in half precision: try --no-half (or Settings 'Upcast cross "
                    "attention layer to float32')")
        return "the UNet produced NaN in half precision: try --upcast-sampling or --no-half"

    def check_finite(self, t: torch.Tensor, part: str, phase: str) -> None:
        """Raise NanError if `t` holds NaN/inf (one host-device sync: call once per phase)."""
        if not bool(torch.isfinite(t).all()):
            raise NanError(f"EasyDrag: NaN in the {phase} result; {self.nan_hint(part)}", part, phase)

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
        """Latent -> image in [-1, 1].  NaN from a half VAE is retried once in float32 when the host
        says so (`auto_vae_precision`), as the WebUI's own decode does; else NanError."""
        self.vae_retried = False
        x = self.sd_model.decode_first_stage(z.to(self._vae_dtype())).float()
        if not bool(torch.isfinite(x).all()):
            if not self.host.vae_fp32_retry or self._vae_dtype() == torch.float32:
                self.check_finite(x, "vae", "decode")
            x = self._decode_fp32(z)
            self.vae_retried = True
            self.check_finite(x, "vae", "decode")
        return x.clamp(-1, 1)

    def _decode_fp32(self, z: torch.Tensor) -> torch.Tensor:
        """Decode with the VAE cast to float32 for this call only; each tensor gets its dtype back
        (fp16 -> fp32 -> fp16 is exact), so the host's model is as it was.  Tensors are named by
        (module, kind, name): a low-VRAM hook may move the VAE meanwhile, which replaces buffers."""
        vae = self.sd_model.first_stage_model
        slots = [(m, kind, name, t.dtype) for m in vae.modules() for kind in ("_parameters", "_buffers")
                 for name, t in getattr(m, kind).items() if t is not None and t.is_floating_point()]
        try:
            for m, kind, name, _ in slots:
                self._set(m, kind, name, torch.float32)
            with torch.autocast(self.device.type, enabled=False):
                return self.sd_model.decode_first_stage(z.float()).float()
        finally:
            for m, kind, name, dtype in slots:
                self._set(m, kind, name, dtype)

    @staticmethod
    @torch.no_grad()
    def _set(module, kind: str, name: str, dtype: torch.dtype) -> None:
        t = getattr(module, kind)[name]
        if kind == "_parameters":
            t.data = t.data.to(dtype)          # the same Parameter object
        else:
            getattr(module, kind)[name] = t.to(dtype)


@functools.lru_cache(maxsize=None)
def _cpu_autocasts(dtype: torch.dtype) -> bool:
    """Whether this torch's CPU autocast takes `dtype` (torch 2.1, the WebUI's, refuses float16)."""
    try:
        with torch.autocast("cpu", dtype=dtype):
            pass
    except RuntimeError:
        return False
    return True
