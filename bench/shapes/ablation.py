"""The DragGAN-style ablation: supervise each next point against the point's *current* feature.

The engine has one rule, the paper's: the point loss pulls next_point(p*, q) towards the
original handle feature F0(p) (`engine.optimize.handle_reference`).  DragGAN instead chases
the feature at the point's present position, re-read from each iteration's features.  The
benchmark gets that rule by swapping the engine's one function for the time of a drag.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from easydrag_ext.engine import optimize
from easydrag_ext.engine.losses import sample_points

_swap_lock = threading.Lock()       # the swap is process-wide: one ablated drag at a time


def current_point_reference(feat, f0_handles, current, out_hw):
    """The feature at each handle's present position, as a constant (no gradient through it)."""
    return sample_points(feat, current, out_hw).detach()


@contextmanager
def current_point_supervision() -> Iterator[None]:
    """Drags inside this block supervise against the current point's feature (DragGAN-style)."""
    with _swap_lock:
        original = optimize.handle_reference
        optimize.handle_reference = current_point_reference
        try:
            yield
        finally:
            optimize.handle_reference = original
