"""Shared by the timing benches: random-weight models, an SDP attention kernel, a drag case."""
from __future__ import annotations

import contextlib
import time

import torch
import torch.nn.functional as F

from easydrag_ext.models.ldm_configs import SD15_UNET, SD15_VAE


def build_model(kind: str, device: str = "cpu", half: bool = False):
    """'sd15': the full SD-1.5 UNet + VAE architecture (random weights); 'tiny': the test model."""
    from easydrag_ext.models.tiny_ldm import TinyLatentDiffusion, build_tiny_model

    torch.manual_seed(0)
    if kind == "tiny":
        model = build_tiny_model()
    elif kind == "sd15":
        with torch.device(device):
            model = TinyLatentDiffusion(SD15_UNET, SD15_VAE, context_dim=768)
    else:
        raise ValueError(f"unknown model kind {kind!r}")
    model = model.to(device)
    if half:   # as the WebUI loads it: UNet and VAE in fp16
        model.model.half()
        model.first_stage_model.half()
    return model.eval()


def sdp_attention_forward(self, x, context=None, mask=None):
    """CrossAttention.forward on torch SDPA, as the WebUI's "sdp" optimisation installs it."""
    h = self.heads
    ctx = x if context is None else context
    q, k, v = self.to_q(x), self.to_k(ctx), self.to_v(ctx)
    b, n, _ = q.shape
    q, k, v = (t.reshape(b, -1, h, t.shape[-1] // h).transpose(1, 2) for t in (q, k, v))
    out = F.scaled_dot_product_attention(q, k, v)
    return self.to_out(out.transpose(1, 2).reshape(b, n, -1).to(x.dtype))


@contextlib.contextmanager
def sdp_attention():
    """Class-level swap, exactly how the WebUI applies its attention optimisations."""
    from ldm.modules.attention import CrossAttention

    original = CrossAttention.forward
    CrossAttention.forward = sdp_attention_forward
    try:
        yield
    finally:
        CrossAttention.forward = original


def drag_case(width: int, height: int):
    """A fixed two-point drag whose targets are far enough that all iterations run."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    img = Image.fromarray((rng.random((height, width, 3)) * 255).astype(np.uint8))
    handles = [(width * 0.25, height * 0.3), (width * 0.7, height * 0.7)]
    targets = [(width * 0.75, height * 0.35), (width * 0.2, height * 0.8)]
    return img, "a photo", handles, targets


class Timer:
    def __init__(self, device):
        self.device = torch.device(device)

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def __enter__(self):
        self.sync()
        self.t = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.sync()
        self.seconds = time.perf_counter() - self.t
