"""Which UNet calls one drag makes, phase by phase: the engine's and the official code's.

bench/flops.py prices each distinct call once and multiplies; tests/engine/test_call_plan.py
checks the engine's plan against the calls a real drag makes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from easydrag_ext import DragParams
from easydrag_ext.engine.guidance import resolve as resolve_guidance


@dataclass(frozen=True)
class Call:
    phase: str
    batch: int
    stop_after: Optional[int]     # None: the full UNet incl. the output layer
    reference: str                # "none", "inject" (engine, rows from inject_from), "official" (batch-2 blocks)
    backward: Optional[str]       # None, "latent" (grad w.r.t. z only), "latent+weights" (official .backward())
    count: int
    inject_from: int = 0
    decoder_copies: int = 1       # engine: encoder once, decoder on n copies


def engine_plan(p: DragParams, iterations: int, mask_updates: int = 1, has_negative: bool = False) -> List[Call]:
    """`has_negative`: a negative prompt is passed (what "auto" guidance decides on); in
    prompt_cfg it is taken to differ from the prompt and to have the prompt's length."""
    g = resolve_guidance(p, "" if has_negative else None)
    k, stop = p.drag_step_index, max(p.feature_blocks)
    ref_steps = g.ref_steps
    drag_ref = "inject" if p.reference_during_drag else "none"
    plan = [
        Call("inversion", 1, None, "none", None, k),
        Call("features", 1, stop, "none", None, 1),
        Call("drag", 1, stop, drag_ref, "latent", iterations),
        Call("drag (auto-mask backward)", 1, stop, drag_ref, "latent-extra", mask_updates),
        # low_vram: every backward first reruns the truncated forward, block by block
        Call("drag (low-VRAM recompute)", 1, stop, drag_ref, None,
             (iterations + mask_updates) if p.low_vram else 0),
    ]
    if g.scale == 1:                        # e_prompt only
        plan += [Call("denoise", 1, None, "none", None, k - ref_steps),
                 Call("denoise", 1, None, "inject", None, ref_steps)]
    elif g.mode == "reference":             # the prompt is its own negative
        plan += [Call("denoise", 1, None, "none", None, k - ref_steps),
                 Call("denoise", 1, None, "inject", None, ref_steps, inject_from=1, decoder_copies=2)]
    else:                                   # prompt_cfg: one batch of (negative, prompt) rows
        plan += [Call("denoise", 2, None, "none", None, k - ref_steps),
                 Call("denoise", 2, None, "inject", None, ref_steps, inject_from=1)]
    return [c for c in plan if c.count]


def official_plan(p: DragParams, iterations: int, mask_updates: int = 1) -> List[Call]:
    k, ref_steps = p.drag_step_index, p.reference_steps
    return [c for c in [
        Call("inversion", 1, None, "none", None, p.inversion_steps),
        Call("features", 1, None, "none", None, 1),
        Call("drag", 2, None, "official", "latent+weights", iterations),
        Call("drag (auto-mask backward)", 2, None, "official", "latent+weights-extra", mask_updates),
        Call("denoise", 1, None, "none", None, 2 * (k - ref_steps)),
        Call("denoise", 2, None, "official", None, ref_steps),
        Call("denoise", 1, None, "none", None, ref_steps),
    ] if c.count]
