"""Borrow the host's model and give it back exactly as it was.

The drag needs gradients only with respect to the latent, so for its duration every
UNet parameter stops requiring grad (less autograd memory, no stray .grad); the
previous flags and train/eval modes are put back in `finally`, whatever happens.
"""
from __future__ import annotations

import contextlib

import torch


@contextlib.contextmanager
def borrowed(module: torch.nn.Module):
    flags = [(p, p.requires_grad) for p in module.parameters()]
    modes = [(m, m.training) for m in module.modules()]
    try:
        for p, _ in flags:
            p.requires_grad_(False)
        yield module
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)
        for m, mode in modes:
            m.training = mode
