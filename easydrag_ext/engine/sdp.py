"""An SDPA CrossAttention.forward (what the WebUI's "sdp" optimisation installs), for our own runs.

The WebUI installs its own kernels; the standalone runner, training and benchmarks use this
one because ldm's default einsum attention is many times slower on a CPU.  Same math.
"""
from __future__ import annotations

import contextlib

import torch.nn.functional as F


def sdp_attention_forward(self, x, context=None, mask=None):
    h = self.heads
    ctx = x if context is None else context
    q, k, v = self.to_q(x), self.to_k(ctx), self.to_v(ctx)
    b, n, _ = q.shape
    q, k, v = (t.reshape(b, -1, h, t.shape[-1] // h).transpose(1, 2) for t in (q, k, v))
    out = F.scaled_dot_product_attention(q, k, v)
    return self.to_out(out.transpose(1, 2).reshape(b, n, -1).to(x.dtype))


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
