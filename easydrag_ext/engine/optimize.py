"""The drag itself: optimise z_t so each handle's original feature appears one step closer.

Per iteration (official code order): forward, track points, stop if all arrived,
point loss at next_point(p*, q) against the *original* handle feature (eq. 5), auto
mask from the point loss gradient at iteration 0 and whenever a point moved, keep
term outside the mask (eq. 6), one Adam step on z_t.  With `confine_to_mask` (not in the
paper) the step is limited to the latent cells near the editable mask.

Under fp16 a GradScaler scales the losses.  A step whose gradient overflowed is skipped by the
scaler and is not counted as an iteration (at most `MAX_SKIPPED_STEPS` of them, reported in
`DragOutcome.skipped_steps`); an overflowed gradient never becomes the auto mask.  Host-device
syncs per iteration are kept to the few decisions that need a number on the host: whether a
point moved, and (fp16) whether the scaler skipped the step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from ..params import DragParams
from .geometry import next_point
from .losses import (KeepRegion, UpsampledCosine, auto_mask, keep_term, normalised_grad, sample_points,
                     similarity_loss, update_gate)

Pt = Tuple[int, int]
MAX_SKIPPED_STEPS = 24     # the scaler halves its scale per skip: 2**16 reaches 1 after 16


def grad_scaler():
    """A CUDA GradScaler on any torch 2.x: `torch.amp.GradScaler("cuda")` exists only from torch 2.3;
    the WebUI v1.10.1 installs torch 2.1.2, which has `torch.cuda.amp.GradScaler`."""
    amp_scaler = getattr(torch.amp, "GradScaler", None)
    if amp_scaler is not None:
        return amp_scaler("cuda")
    return torch.cuda.amp.GradScaler()


@dataclass
class DragOutcome:
    z: torch.Tensor
    handles: List[Pt]
    arrived: List[bool]
    iterations: int
    editable: Optional[torch.Tensor]   # bool (H, W) at work size, or None
    heat: Optional[torch.Tensor]       # float (h, w) at latent size, or None
    skipped_steps: int = 0             # fp16 steps the GradScaler skipped (overflow); not iterations


def track(feat: torch.Tensor, f0_handles: torch.Tensor, current: List[Pt], targets: Sequence[Pt],
          params: DragParams, out_hw) -> bool:
    """Move each p* to next_point(p*, q) iff that matches the original feature better.

    All handles are read and compared at once: one host-device sync per call, not one per handle."""
    todo = [i for i, (p, q) in enumerate(zip(current, targets)) if p != tuple(q)]
    if not todo:
        return False
    cands = [next_point(current[i], targets[i], params.motion_step, params.snap_radius, (out_hw[1], out_hw[0]))
             for i in todo]
    with torch.no_grad():
        pts = [pt for i, c in zip(todo, cands) for pt in (current[i], c)]
        f = sample_points(feat, pts, out_hw).reshape(len(todo), 2, -1)
        ref = torch.stack([f0_handles[i] for i in todo]).unsqueeze(1).expand_as(f)   # views, no index copy
        cos = F.cosine_similarity(f, ref, dim=-1)
        better = (cos[:, 1] > cos[:, 0]).tolist()
    for i, c, b in zip(todo, cands, better):
        if b:
            current[i] = c
    return any(better)


def handle_reference(feat: torch.Tensor, f0_handles: torch.Tensor, current: List[Pt], out_hw) -> torch.Tensor:
    """The features each handle's next point is pulled towards: the original handle feature
    F0(p), whatever the drag has done to the latent since (eq. 5).  bench/shapes/ablation.py
    swaps this one function for its DragGAN-style ablation (the current point's feature)."""
    return f0_handles


def optimize_latent(features: Callable[[torch.Tensor], torch.Tensor], z_t: torch.Tensor, f0: torch.Tensor,
                    handles: Sequence[Pt], targets: Sequence[Pt], params: DragParams, out_hw,
                    user_editable: Optional[torch.Tensor] = None, use_scaler: bool = False,
                    on_step: Callable[[int, List[Pt]], None] = lambda i, p: None,
                    step_scale: Optional[torch.Tensor] = None) -> DragOutcome:
    """`step_scale` (1, C, 1, 1), from the model (`LdmAdapter.latent_step_scale`): per latent channel,
    how far Adam's step goes.  Adam has no per-element lr, so then it steps u with z = z_t + scale * u."""
    targets = [tuple(q) for q in targets]
    current: List[Pt] = [tuple(p) for p in handles]
    f0_handles = sample_points(f0, current, out_hw).detach()
    cosine = UpsampledCosine(f0, out_hw) if params.mask_mode != "none" else None
    z0 = z_t.detach().clone().float()
    if step_scale is None:
        u = z0.requires_grad_(True)         # Adam steps z itself, as the paper does
    else:
        u = torch.zeros_like(z0, requires_grad=True)
        step_scale = step_scale.to(z0)

    def latent() -> torch.Tensor:
        return u if step_scale is None else z0 + u * step_scale

    opt = torch.optim.Adam([u], lr=params.lr)
    scaler = grad_scaler() if use_scaler else None
    scale = scaler.scale if scaler is not None else (lambda loss: loss)
    editable = user_editable if params.mask_mode == "user" else None
    keep = KeepRegion(~editable) if editable is not None else None

    def confine(region):
        if not params.confine_to_mask or region is None or not region.any():
            return None     # an empty mask confines nothing: the drag must still be able to move
        return update_gate(region, z0.shape[-2:], params.confine_margin).to(z0)

    gate = confine(editable)
    heat = None
    arrived = [p == q for p, q in zip(current, targets)]
    weights = torch.ones(len(current), device=z0.device)
    weighted = [False] * len(current)       # which entries of `weights` hold arrived_weight
    scale_now = scaler.get_scale() if scaler is not None else 1.0
    iterations = skipped = 0
    mask_due = True         # the auto mask is (re)built at the first iteration and after a move
    while iterations < params.max_iterations:
        z = latent()
        feat = features(z)
        moved = track(feat, f0_handles, current, targets, params, out_hw)
        arrived = [p == q for p, q in zip(current, targets)]
        if all(arrived):
            break
        mask_due = mask_due or moved
        nxt = [next_point(p, q, params.motion_step, params.snap_radius, (out_hw[1], out_hw[0]))
               for p, q in zip(current, targets)]
        ref = handle_reference(feat, f0_handles, current, out_hw)
        for i, a in enumerate(arrived):     # a fill on the device, not a new tensor copied there
            if a != weighted[i]:
                weights[i].fill_(params.arrived_weight if a else 1.0)
                weighted[i] = a
        point_loss = (weights * similarity_loss(sample_points(feat, nxt, out_hw), ref)).sum()
        loss = point_loss
        if params.mask_mode == "auto" and mask_due:
            (g,) = torch.autograd.grad(scale(point_loss), z, retain_graph=True)
            if scaler is not None:
                g = g.float() / scale_now
            if bool(torch.isfinite(g).all()):
                # an overflowed gradient would give an empty mask: keep the last one, retry next time
                heat = normalised_grad(g)
                editable = F.interpolate(auto_mask(g, params.mask_threshold)[None, None].float(),
                                         size=tuple(out_hw), mode="nearest")[0, 0].bool()
                keep = KeepRegion(~editable)
                gate = confine(editable)
                mask_due = False
        if keep is not None and keep.any:
            loss = loss + keep_term(cosine(feat), keep, params.mask_weight)
        (g,) = torch.autograd.grad(scale(loss), z)
        if gate is not None:
            g = g * gate
        u.grad = g if step_scale is None else g * step_scale
        if scaler is not None:
            scaler.step(opt)
            scaler.update()
            new_scale = scaler.get_scale()
            stepped = new_scale >= scale_now        # the scaler backs its scale off on a skip
            scale_now = new_scale
        else:
            opt.step()
            stepped = True
        opt.zero_grad(set_to_none=True)
        if not stepped:
            skipped += 1
            if skipped >= MAX_SKIPPED_STEPS:
                break
            continue
        iterations += 1
        on_step(iterations, list(current))
    return DragOutcome(latent().detach(), current, arrived, iterations, editable, heat, skipped)
