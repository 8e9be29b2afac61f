"""Shared by the timing benches: random-weight models, an SDP attention kernel, a drag case."""
from __future__ import annotations

import time

import torch

from easydrag_ext.engine.sdp import sdp_attention, sdp_attention_forward  # noqa: F401  (re-exported)
from easydrag_ext.testing.ldm_configs import SD15_UNET, SD15_VAE


def build_model(kind: str, device: str = "cpu", half: bool = False):
    """'sd15': the full SD-1.5 UNet + VAE architecture (random weights); 'tiny': the test model."""
    from easydrag_ext.testing.tiny_ldm import TinyLatentDiffusion, build_tiny_model

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
