"""Interrupt inside a phase, not only between steps.

One UNet or VAE call on a large working size can take minutes on a CPU, so the stop flag
is also polled before each of the model's top-level blocks (forward pre-hooks, removed in
`finally`, so the borrowed model comes back without them).
"""
from __future__ import annotations

import contextlib
from typing import Callable, Iterable, Optional

import torch

from .events import DragCancelled

DEPTH = 3   # input_blocks.1.1 (a transformer), decoder.up.2 (a VAE level): coarse enough to be free


def _shallow_modules(root: torch.nn.Module, depth: int):
    level = [root]
    for _ in range(depth):
        level = [c for m in level for c in m.children()]
        yield from level


@contextlib.contextmanager
def stop_inside(roots: Iterable[Optional[torch.nn.Module]], should_stop: Optional[Callable[[], bool]],
                where: Callable[[], str]):
    if should_stop is None:
        yield
        return

    def check(_module, _args):
        if should_stop():
            raise DragCancelled(f"stopped during {where()}")

    handles = []
    try:
        for root in roots:
            if root is not None:
                handles += [m.register_forward_pre_hook(check) for m in _shallow_modules(root, DEPTH)]
        yield
    finally:
        for h in handles:
            h.remove()
