"""drag(): inversion -> latent optimisation -> denoising with reference guidance (engine/guidance.py).

Costs by design: the inversion runs only the `drag_step_index` steps it needs and
records, on the way, the decoder self-attention states that the denoising reference
calls need (under the official convention those calls are identical to inversion
calls); one truncated UNet call gives F0 and the drag's reference states; every drag
forward stops after the deepest feature block.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Dict, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ..params import DragParams
from . import inputs
from .adapter import LdmAdapter
from .cache import InversionCache, image_digest
from .events import DragCancelled, DragResult, ProgressEvent, WorkBudget
from .geometry import plan_size, points_to_work
from .borrow import borrowed
from .guidance import resolve as resolve_guidance
from .interrupt import stop_inside
from .memory import check_fits
from .out_of_memory import out_of_memory_hint
from .optimize import optimize_latent
from .reference import ReferenceAttention
from .schedule import DDIMSchedule
from .sdp import lean_attention_for_grad
from .unet_forward import concat_features, unet_forward

log = logging.getLogger("easydrag")


class PhaseClock:
    """Seconds per phase, CUDA-synchronised at each lap so GPU work is counted where it ran."""

    def __init__(self, device: torch.device):
        self.device, self.timings, self._t = device, {}, time.perf_counter()
        self._start = self._t

    def lap(self, phase: str) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self._t
        self._t = now

    def total(self) -> Dict[str, float]:
        self.timings["total"] = time.perf_counter() - self._start
        return self.timings


def drag(adapter: LdmAdapter, image, prompt: str, handles: Sequence, targets: Sequence, mask=None,
         params: DragParams = DragParams(), progress: Optional[Callable[[ProgressEvent], None]] = None,
         should_stop: Optional[Callable[[], bool]] = None,
         cache: Optional[InversionCache] = None, model_key: str = "",
         negative_prompt: Optional[str] = None) -> DragResult:
    """Drag `handles` to `targets` on `image`; see README "Engine" for the method.

    `negative_prompt` is the text of e_neg in `prompt_cfg` guidance (and makes "auto" choose
    it); `reference` guidance ignores it (the prompt is its own negative).

    With `cache`, the inversion (latents, reference states, F0) of an earlier call with the
    same `model_key`, image, prompt and inversion parameters is reused.
    """
    # ---- validate everything before touching the model ----------------------------------
    if not isinstance(params, DragParams):
        params = DragParams.from_dict(params)
    if not isinstance(prompt, str):
        raise ValueError(f"prompt must be a string, got {type(prompt).__name__}")
    if negative_prompt is not None and not isinstance(negative_prompt, str):
        raise ValueError(f"negative_prompt must be a string, got {type(negative_prompt).__name__}")
    guidance = resolve_guidance(params, negative_prompt)
    params = params.replace(guidance_mode=guidance.mode)    # the result says which mode ran
    image = inputs.check_image(image)
    size = image.size
    hs, ts = inputs.check_points(handles, targets, size)
    user_mask = inputs.check_mask(mask, size)
    if params.mask_mode == "user":
        if user_mask is None:
            raise ValueError("mask_mode 'user' needs a mask (white = editable)")
        if not user_mask.any():
            raise ValueError("the mask is empty: paint the region that may change, or use mask_mode 'auto'")
    latent_factor = _latent_factor(adapter.sd_model)
    plan = plan_size(size[0], size[1], params.resize_long_side, latent_factor * adapter.unet_downsampling)
    w, h = plan.work_size
    work_handles, work_targets = points_to_work(plan, hs), points_to_work(plan, ts)
    inputs.check_movement(work_handles, work_targets, (w, h))   # a resize can round a drag away

    device = adapter.device
    check_fits((w, h), latent_factor, adapter.unet, adapter.compute_dtype, device)
    clock = PhaseClock(device)
    phase_now = ["start"]   # named in the message of a stop inside a model call
    budget = WorkBudget({"encode": 1, "inversion": params.drag_step_index, "features": 1,
                         "drag": params.max_iterations, "denoise": params.drag_step_index, "decode": 1})

    def report(phase: str, step: int, total: int, pts) -> None:
        phase_now[0] = f"{phase} after step {step}/{total}" if step else f"{phase} (starting)"
        if should_stop is not None and should_stop():
            raise DragCancelled(f"stopped during {phase} step {step}/{total}")
        if progress is not None:
            progress(ProgressEvent(phase, step, total, [plan.to_input(p) for p in pts],
                                   budget.fraction(phase, step, total)))

    work_image = image.resize((w, h), Image.LANCZOS) if plan.resized else image
    user_editable = None
    if params.mask_mode == "user":
        m = Image.fromarray(user_mask.astype(np.uint8) * 255).resize((w, h), Image.NEAREST)
        user_editable = torch.from_numpy(np.asarray(m) > 127).to(device)

    sched = DDIMSchedule.make(adapter.alphas_cumprod, params.inversion_steps)
    k = params.drag_step_index
    ref_steps = guidance.ref_steps
    blocks = params.feature_blocks
    unet = adapter.unet
    store_dtype = torch.float16 if adapter.compute_dtype == torch.float16 else None

    vae = getattr(adapter.sd_model, "first_stage_model", None)
    with out_of_memory_hint(params), torch.inference_mode(False), borrowed(unet), \
            ReferenceAttention(unet, store_dtype) as ref, \
            lean_attention_for_grad(unet, upcast=adapter.host.upcast_attn), \
            stop_inside((unet, vae), should_stop, lambda: phase_now[0]):
        def run(z, t_index: int, context=None, **kw):
            t = torch.full((z.shape[0],), sched.timesteps[t_index], device=device, dtype=torch.long)
            context = cond.expand(z.shape[0], -1, -1) if context is None else context
            zz, cc = adapter.unet_inputs(z, context)
            with adapter.autocast():
                return unet_forward(unet, zz, t, cc, **kw)

        with torch.no_grad():
            cond = adapter.text_context(prompt)
            uncond = cond if guidance.negative_prompt is None else adapter.text_context(guidance.negative_prompt)
            # decided once per drag (a host sync), not at each denoising step
            same_negative = uncond is cond or (uncond.shape == cond.shape and bool(torch.equal(uncond, cond)))
        key = (model_key, id(unet), image_digest(work_image), prompt, params.inversion_steps, k, ref_steps,
               blocks, params.reference_during_drag, str(device), str(adapter.unet_dtype), str(adapter.compute_dtype),
               adapter.host.upcast_sampling)
        cached = cache.get(key, device) if cache is not None else None
        if cached is not None:
            z_t, f0, drag_bank, banks = cached
            report("inversion", k, k, work_handles)
            clock.lap("inversion (cached)")
        else:
            if cache is not None:
                cache.clear()       # the old entry must not live beside the new one (peak x2)
            z_t, f0, drag_bank, banks = _invert(adapter, run, ref, sched, work_image, (w, h), latent_factor,
                                                params, ref_steps, lambda phase, i, n: report(phase, i, n, work_handles),
                                                clock)
            adapter.check_finite(z_t, "unet", "inversion")     # before caching: never reuse a NaN inversion
            adapter.check_finite(f0, "unet", "inversion")
            if cache is not None:
                cache.put(key, (z_t, f0, drag_bank, banks))

        # ---- latent optimisation ------------------------------------------------------------
        if drag_bank is not None:
            ref.inject(drag_bank)
        else:
            ref.idle()

        def features(zz):
            _, fs = run(zz, k - 1, feature_blocks=blocks, stop_after=max(blocks), recompute=params.low_vram)
            return concat_features(fs).float()

        report("drag", 0, params.max_iterations, work_handles)
        if should_stop is not None and should_stop():
            raise DragCancelled("stopped before the drag")
        with torch.enable_grad():
            outcome = optimize_latent(
                features, z_t, f0, work_handles, work_targets, params, (h, w), user_editable,
                use_scaler=device.type == "cuda" and adapter.compute_dtype == torch.float16,
                on_step=lambda i, pts: report("drag", i, params.max_iterations, pts),
                step_scale=adapter.latent_step_scale)
        if outcome.skipped_steps:
            log.warning("EasyDrag: %d drag steps overflowed in fp16 and were skipped (not counted as iterations)",
                        outcome.skipped_steps)
        adapter.check_finite(outcome.z, "unet", "drag")
        if cache is None:
            del f0, drag_bank
        clock.lap("drag")

        # ---- denoise from z_t*: eps = e_neg + w * (e_prompt - e_neg) ------------------------
        with torch.no_grad():
            z = outcome.z
            report("denoise", 0, k, outcome.handles)
            for step, i in enumerate(reversed(range(k)), start=1):
                # without a cache, each step's reference states are freed once used
                bank = (banks[i] if cache is not None else banks.pop(i)) if i < ref_steps else None
                eps = _guided_eps(run, ref, z, i, bank, cond, uncond, same_negative, guidance.scale)
                z = sched.denoise_step(z, eps.float(), i)
                report("denoise", step, k, outcome.handles)
            ref.idle()
            adapter.check_finite(z, "unet", "denoise")
            clock.lap("denoise")
            report("decode", 0, 1, outcome.handles)
            decoded = adapter.decode(z)       # NaN: retried in fp32 (auto_vae_precision) or NanError
            if adapter.vae_retried:
                log.warning("EasyDrag: the VAE produced NaN in half precision; decoded again in float32 "
                            "(use --no-half-vae to start in float32)")
            result_image = inputs.tensor_to_image(decoded)
            clock.lap("decode")
            report("decode", 1, 1, outcome.handles)

    if plan.resized:
        result_image = result_image.resize(size, Image.LANCZOS)
    return DragResult(
        image=result_image,
        final_handles=[plan.to_input(p) for p in outcome.handles],
        iterations=outcome.iterations,
        arrived=list(outcome.arrived),
        mask=_to_input_mask(outcome.editable, params, user_mask, size),
        mask_heat=_to_input_heat(outcome.heat, size),
        timings=clock.total(),
        params=params,
    )


def _guided_eps(run, ref, z, i, bank, cond, uncond, same: bool, w):
    """e_neg + w * (e_prompt - e_neg) for one step; e_prompt reads `bank` when it is given.
    `same`: the negative conditioning equals the prompt's (the caller decides once per drag).

    Each term is computed by the cheapest call that gives it: when the negative is the
    prompt (reference guidance), e_neg is the plain row of a call whose encoder runs once
    and whose decoder runs twice (plain, reference), and without a bank e_neg = e_prompt;
    w = 1 needs e_prompt only.  Otherwise one batch of (negative, prompt) rows, or two calls
    when the two conditionings have different lengths (as the WebUI's CFG denoiser does).
    """
    if w == 1 or (same and bank is None):
        if bank is None:
            ref.idle()
        else:
            ref.inject(bank)
        eps, _ = run(z, i)
        return eps
    if same:
        ref.inject(bank, from_row=1)
        eps2, _ = run(z, i, decoder_copies=2)              # rows: plain, reference
    elif uncond.shape == cond.shape:
        if bank is None:
            ref.idle()
        else:
            ref.inject(bank, from_row=1)                   # row 0 (negative) stays plain
        eps2, _ = run(z.expand(2, -1, -1, -1), i, context=torch.cat([uncond, cond]))
    else:
        ref.idle()
        e_neg, _ = run(z, i, context=uncond)
        if bank is not None:
            ref.inject(bank)
        e_prompt, _ = run(z, i)
        eps2 = torch.cat([e_neg, e_prompt])
    return eps2[:1] + w * (eps2[1:] - eps2[:1])


def _invert(adapter, run, ref, sched, work_image, work_size, latent_factor, params, ref_steps, on_step, clock):
    """Encode, invert to z_t recording the denoising reference states, then F0 (+ drag states).

    on_step(phase, step, total) reports each of the three phases' start and steps."""
    w, h = work_size
    k, blocks = params.drag_step_index, params.feature_blocks
    with torch.no_grad():
        on_step("encode", 0, 1)
        z = adapter.encode(inputs.image_to_tensor(work_image))
        if z.shape[-2:] != (h // latent_factor, w // latent_factor):
            raise ValueError(f"unexpected latent size {tuple(z.shape[-2:])} for a {w}x{h} image")
        adapter.check_finite(z, "vae", "encode")
        clock.lap("encode")
        on_step("encode", 1, 1)
        on_step("inversion", 0, k)
        banks: Dict[int, dict] = {}
        for i in range(k):
            if i < ref_steps:
                banks[i] = ref.record()
            else:
                ref.idle()
            eps, _ = run(z, i)
            z = sched.invert_step(z, eps.float(), i)
            on_step("inversion", i + 1, k)
        clock.lap("inversion")
        on_step("features", 0, 1)
        # F0 and the drag's reference states come from one truncated call.
        drag_bank = ref.record() if params.reference_during_drag else None
        if drag_bank is None:
            ref.idle()
        _, feats = run(z, k - 1, feature_blocks=blocks, stop_after=max(blocks))
        f0 = concat_features(feats).float()
        clock.lap("features")
        on_step("features", 1, 1)
    return z, f0, drag_bank, banks


def _latent_factor(sd_model) -> int:
    """Pixels per latent cell: 8 for SD's VAE, 1 for a pixel-space model."""
    factor = getattr(sd_model, "latent_factor", None)
    if factor is not None:
        return int(factor)
    vae = getattr(sd_model, "first_stage_model", None)
    encoder = getattr(vae, "encoder", None)
    if encoder is not None and hasattr(encoder, "num_resolutions"):
        return 2 ** (encoder.num_resolutions - 1)
    return 1 if vae is None else 8


def _to_input_mask(editable, params: DragParams, user_mask, size):
    if params.mask_mode == "user":
        return user_mask
    if editable is None:
        return None
    m = Image.fromarray(editable.cpu().numpy().astype(np.uint8) * 255).resize(size, Image.NEAREST)
    return np.asarray(m) > 127


def _to_input_heat(heat, size):
    if heat is None:
        return None
    up = F.interpolate(heat[None, None].float().cpu(), size=(size[1], size[0]), mode="bilinear")
    return up[0, 0].clamp(0, 1).numpy().astype(np.float32)
