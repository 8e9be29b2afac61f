"""ShapesDrag benchmark: EasyDrag and its ablations on held-out scenes with known answers.

Methods (like the paper's Table 2): the no-op baseline (output = input), EasyDrag,
EasyDrag without reference guidance (no reference attention while dragging, no
reference guidance while denoising), and DragGAN-style motion supervision (features
of the current point instead of the original handle feature).
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from easydrag_ext.engine import drag
from easydrag_ext.params import DragParams

from .ablation import current_point_supervision
from .metrics import Scores, score
from easydrag_ext.bundled.tasks import DragTask, tasks

METHODS = ("no-op", "EasyDrag", "EasyDrag w/o reference", "DragGAN-style supervision")


@dataclass(frozen=True)
class Row:
    method: str
    tasks: int
    md_gt: float
    closed: float
    bg_psnr: float
    bg_ssim: float
    lost: float          # fraction of tasks whose object was not found in the output
    seconds: float


def run_method(method: str, adapter, task: DragTask, params: DragParams):
    if method == "no-op":
        return task.image()
    rule = contextlib.nullcontext()
    if method == "EasyDrag w/o reference":
        params = params.replace(reference_during_drag=False, reference_scale=0.0, reference_steps=0)
    elif method == "DragGAN-style supervision":
        rule = current_point_supervision()
    elif method != "EasyDrag":
        raise ValueError(f"unknown method {method!r}")
    with rule:
        return drag(adapter, task.image(), task.scene.caption(), [task.handle], [task.target],
                    params=params).image


def run(adapter, params: DragParams, n_tasks: int, methods: Sequence[str] = METHODS,
        on_task: Optional[Callable[[str, int, Scores], None]] = None, first_task: int = 0) -> List[Row]:
    rows = []
    for method in methods:
        scores: List[Scores] = []
        start = time.perf_counter()
        for i, task in enumerate(tasks(n_tasks, first=first_task)):
            s = score(task, run_method(method, adapter, task, params))
            scores.append(s)
            if on_task:
                on_task(method, i, s)
        took = (time.perf_counter() - start) / max(1, n_tasks)
        rows.append(Row(method, n_tasks, *(float(np.mean([getattr(s, f) for s in scores]))
                                           for f in ("md_gt", "closed", "bg_psnr", "bg_ssim", "lost")), took))
    return rows


def table(rows: List[Row]) -> str:
    lines = ["| method | tasks | MD_gt (px) ↓ | distance closed ↑ | object lost ↓ | bg PSNR (dB) ↑ | bg SSIM ↑ "
             "| s/task |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.method} | {r.tasks} | {r.md_gt:.2f} | {r.closed:.2f} | {r.lost:.0%} | {r.bg_psnr:.1f} | "
                     f"{r.bg_ssim:.3f} | {r.seconds:.1f} |")
    return "\n".join(lines)


def summary(rows: List[Row]) -> Dict[str, Row]:
    return {r.method: r for r in rows}


# The reduced run (CI): the first REDUCED_TASKS held-out tasks.  A working drag meets every
# threshold; the no-op (closes nothing) and a drag with no iterations (reconstruction only)
# must not: tests/bench/test_shapes_reduced.py checks both sides.
# Sized on the 48 tuning tasks (500-547), not on the reported ones.  Per task a working drag
# closes anywhere from 0 to 1: over 3 tasks the old bar of 0.5 failed 63% of all 3-task windows
# for the model it was set on (mean 0.41), while a drag with no iterations closes exactly 0 on
# every task.  Over 8 tasks the bar sits halfway between the two; 7% and 0% of the 8-task windows
# of the two models measured fall under it (research/NOTES.md, "CI").
REDUCED_TASKS = 8
THRESHOLDS = {"closed_min": 0.2, "lost_max": 0.34, "bg_psnr_min": 20.0}


def failures(row: Row, thresholds: Dict[str, float] = THRESHOLDS) -> List[str]:
    """Which thresholds `row` misses, in words; empty when it passes."""
    out = []
    if row.closed < thresholds["closed_min"]:
        out.append(f"distance closed {row.closed:.2f} < {thresholds['closed_min']}")
    if row.lost > thresholds["lost_max"]:
        out.append(f"object lost in {row.lost:.0%} of tasks > {thresholds['lost_max']:.0%}")
    if row.bg_psnr < thresholds["bg_psnr_min"]:
        out.append(f"background PSNR {row.bg_psnr:.1f} dB < {thresholds['bg_psnr_min']}")
    return out
