"""SDPA attention for ldm's CrossAttention: the drag's backward pass, and our own runs.

`lean_attention_for_grad` (every drag): the WebUI installs its kernel class-wide, and its
default without --xformers (Doggettx) keeps the full attention matrices for backward, about
6x what SDPA keeps.  For the drag's grad-enabled forwards, each attention module of the UNet
runs SDPA instead (honouring "Upcast cross attention layer to float32"); calls without grad
(inversion, denoising) still go to the host's kernel.  The reference K/V reach attention as
`context`, so they pass through either path.

`sdp_attention` (standalone runner, training, benchmarks): ldm's default einsum attention is
many times slower on a CPU, so it is swapped class-wide for the duration.  Same math.
"""
from __future__ import annotations

import contextlib
from typing import List

import torch
import torch.nn.functional as F

_ATTR = "_easydrag_host_forward"
_PARTS = ("to_q", "to_k", "to_v", "to_out", "heads")


def sdp_attention_forward(self, x, context=None, mask=None, upcast=False):
    h = self.heads
    ctx = x if context is None else context
    q, k, v = self.to_q(x), self.to_k(ctx), self.to_v(ctx)
    b, n, _ = q.shape
    q, k, v = (t.reshape(b, -1, h, t.shape[-1] // h).transpose(1, 2) for t in (q, k, v))
    if upcast:     # as the WebUI's sdp kernel does with opts.upcast_attn: fp32, outside autocast
        with torch.autocast(q.device.type, enabled=False):
            out = F.scaled_dot_product_attention(q.float(), k.float(), v.float())
    else:
        out = F.scaled_dot_product_attention(q, k, v)
    return self.to_out(out.transpose(1, 2).reshape(b, n, -1).to(x.dtype))


def attention_modules(unet) -> List[torch.nn.Module]:
    """ldm CrossAttention modules, found by what they have (to_q/to_k/to_v/to_out/heads)."""
    return [m for m in unet.modules() if all(hasattr(m, a) for a in _PARTS)]


def _dispatching_forward(module, upcast: bool):
    host_forward = module.__dict__.get("forward")       # another extension's instance forward, if any

    def forward(x, context=None, mask=None, **kwargs):
        if torch.is_grad_enabled() and mask is None and not kwargs:
            return sdp_attention_forward(module, x, context, upcast=upcast)
        if host_forward is not None:
            return host_forward(x, context=context, mask=mask, **kwargs)
        return type(module).forward(module, x, context=context, mask=mask, **kwargs)   # the host's kernel now

    return forward


@contextlib.contextmanager
def lean_attention_for_grad(unet, upcast: bool = False):
    """For the duration: grad-enabled attention calls of `unet` run SDPA; others the host's kernel.
    Per-instance `forward` attributes, removed (or the previous one put back) afterwards."""
    modules = attention_modules(unet)
    installed = []
    try:
        for m in modules:
            if _ATTR in m.__dict__:
                raise RuntimeError("EasyDrag's attention switch is already installed on this model")
            m.__dict__[_ATTR] = m.__dict__.get("forward")
            installed.append(m)
            m.forward = _dispatching_forward(m, upcast)
        yield modules
    finally:
        for m in installed:
            previous = m.__dict__.pop(_ATTR)
            if previous is None:
                m.__dict__.pop("forward", None)
            else:
                m.forward = previous


@contextlib.contextmanager
def sdp_attention():
    """Swap CrossAttention.forward class-wide for the duration, as the WebUI does."""
    from ldm.modules.attention import CrossAttention

    original = CrossAttention.forward
    CrossAttention.forward = sdp_attention_forward
    try:
        yield
    finally:
        CrossAttention.forward = original
