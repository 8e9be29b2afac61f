"""Borrow the host's model and give it back exactly as it was.

The drag needs gradients only with respect to the latent, so for its duration the
UNet's parameters stop requiring grad (less autograd memory, no stray .grad).
ldm's gradient checkpointing (`checkpoint=True` on blocks) is switched off for the
drag: its backward insists on weight gradients and cannot run twice over a retained
graph, which the auto mask needs.  Flags, checkpoint switches and train/eval modes
are put back in `finally`, whatever happens.

One drag per model at a time: a second `borrowed` on the same module waits for the
first to give it back.  Without that, a second drag that starts while the first holds
the model records the first one's `requires_grad=False` as "the host's" flags and puts
those back last, leaving the host's parameters frozen.
"""
from __future__ import annotations

import contextlib
import threading
import weakref

import torch

_SWITCHES = ("checkpoint", "use_checkpoint")
_locks: "weakref.WeakKeyDictionary[torch.nn.Module, threading.RLock]" = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def model_lock(module: torch.nn.Module) -> threading.RLock:
    """The lock of `module` (re-entrant: a drag may borrow the module it already holds)."""
    with _locks_guard:
        lock = _locks.get(module)
        if lock is None:
            lock = _locks[module] = threading.RLock()
        return lock


@contextlib.contextmanager
def borrowed(module: torch.nn.Module):
    with model_lock(module):
        flags = [(p, p.requires_grad) for p in module.parameters()]
        modes = [(m, m.training) for m in module.modules()]
        switches = [(m, name) for m in module.modules() for name in _SWITCHES
                    if name in vars(m) and vars(m)[name] is True]
        try:
            for p, _ in flags:
                p.requires_grad_(False)
            for m, name in switches:
                setattr(m, name, False)
            yield module
        finally:
            for p, flag in flags:
                p.requires_grad_(flag)
            for m, name in switches:
                setattr(m, name, True)
            for m, mode in modes:
                m.training = mode
