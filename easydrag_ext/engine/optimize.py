"""The drag itself: optimise z_t so each handle's original feature appears one step closer.

Per iteration (official code order): forward, track points, stop if all arrived,
point loss at next_point(p*, q) against the *original* handle feature (eq. 5), auto
mask from the point loss gradient at iteration 0 and whenever a point moved, keep
term outside the mask (eq. 6), one Adam step on z_t.  With `confine_to_mask` (not in the
paper) the step is limited to the latent cells near the editable mask.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from ..params import DragParams
from .geometry import next_point
from .losses import (UpsampledCosine, auto_mask, keep_term, normalised_grad, sample_points, similarity_loss,
                     update_gate)

Pt = Tuple[int, int]


@dataclass
class DragOutcome:
    z: torch.Tensor
    handles: List[Pt]
    arrived: List[bool]
    iterations: int
    editable: Optional[torch.Tensor]   # bool (H, W) at work size, or None
    heat: Optional[torch.Tensor]       # float (h, w) at latent size, or None


def track(feat: torch.Tensor, f0_handles: torch.Tensor, current: List[Pt], targets: Sequence[Pt],
          params: DragParams, out_hw) -> bool:
    """Move each p* to next_point(p*, q) iff that matches the original feature better."""
    moved = False
    with torch.no_grad():
        for i, (p, q) in enumerate(zip(current, targets)):
            if p == tuple(q):
                continue
            cand = next_point(p, q, params.motion_step, params.snap_radius, (out_hw[1], out_hw[0]))
            f = sample_points(feat, [p, cand], out_hw)
            cos = F.cosine_similarity(f, f0_handles[i:i + 1].expand_as(f), dim=-1)
            if cos[1] > cos[0]:
                current[i] = cand
                moved = True
    return moved


def optimize_latent(features: Callable[[torch.Tensor], torch.Tensor], z_t: torch.Tensor, f0: torch.Tensor,
                    handles: Sequence[Pt], targets: Sequence[Pt], params: DragParams, out_hw,
                    user_editable: Optional[torch.Tensor] = None, use_scaler: bool = False,
                    on_step: Callable[[int, List[Pt]], None] = lambda i, p: None,
                    motion_reference: str = "original", step_scale: Optional[torch.Tensor] = None) -> DragOutcome:
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
    scaler = torch.amp.GradScaler("cuda") if use_scaler else None
    scale = scaler.scale if scaler is not None else (lambda loss: loss)
    editable = user_editable if params.mask_mode == "user" else None

    def confine(region):
        if not params.confine_to_mask or region is None or not region.any():
            return None     # an empty mask confines nothing: the drag must still be able to move
        return update_gate(region, z0.shape[-2:], params.confine_margin).to(z0)

    gate = confine(editable)
    heat = None
    arrived = [p == q for p, q in zip(current, targets)]
    iterations = 0
    for it in range(params.max_iterations):
        z = latent()
        feat = features(z)
        moved = track(feat, f0_handles, current, targets, params, out_hw)
        arrived = [p == q for p, q in zip(current, targets)]
        if all(arrived):
            break
        nxt = [next_point(p, q, params.motion_step, params.snap_radius, (out_hw[1], out_hw[0]))
               for p, q in zip(current, targets)]
        if motion_reference == "current":   # DragGAN-style ablation: chase the point's present feature
            ref = sample_points(feat, current, out_hw).detach()
        else:
            ref = f0_handles
        weights = torch.tensor([params.arrived_weight if a else 1.0 for a in arrived], device=z.device)
        point_loss = (weights * similarity_loss(sample_points(feat, nxt, out_hw), ref)).sum()
        loss = point_loss
        if params.mask_mode == "auto" and (it == 0 or moved):
            (g,) = torch.autograd.grad(scale(point_loss), z, retain_graph=True)
            heat = normalised_grad(g)
            editable = F.interpolate(auto_mask(g, params.mask_threshold)[None, None].float(),
                                     size=tuple(out_hw), mode="nearest")[0, 0].bool()
            gate = confine(editable)
        if editable is not None:
            keep = ~editable
            if keep.any():
                loss = loss + keep_term(cosine(feat), keep, params.mask_weight)
        (g,) = torch.autograd.grad(scale(loss), z)
        if gate is not None:
            g = g * gate
        u.grad = g if step_scale is None else g * step_scale
        if scaler is not None:
            scaler.step(opt)
            scaler.update()
        else:
            opt.step()
        opt.zero_grad(set_to_none=True)
        iterations = it + 1
        on_step(iterations, list(current))
    return DragOutcome(latent().detach(), current, arrived, iterations, editable, heat)
