"""The bundled ShapesDrag model: a small latent diffusion model from the real ldm UNet class.

32x32 RGB scenes (easydrag_ext/shapes/scenes.py), SD-1.5 block layout (12 output blocks,
spatial transformers with self-attention in output blocks 3-11) at small widths, a
learned word-hash text encoder, SD's noise schedule.  The "autoencoder" is fixed and
exact: 2x2 space-to-depth (pixel unshuffle) to a 16x16x12 latent and back, so nothing
is lost and the UNet runs 4x smaller than in pixel space; the engine reads the latent
factor (2, not SD's 8) from `latent_factor`.  Weights: shapes_model.safetensors beside this file (train with
`python -m easydrag_ext.shapes.train`).
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from .tiny_ldm import TinyLatentDiffusion

WEIGHTS = Path(__file__).with_name("shapes_model.safetensors")
IMAGE_SIZE = 32
LATENT_FACTOR = 2
LATENT_CHANNELS = 3 * LATENT_FACTOR ** 2
CONTEXT_DIM = 64
UNET = dict(
    image_size=IMAGE_SIZE // LATENT_FACTOR, in_channels=LATENT_CHANNELS, out_channels=LATENT_CHANNELS, model_channels=32,
    attention_resolutions=[4, 2, 1], num_res_blocks=2, channel_mult=[1, 2, 2, 2], num_heads=4,
    use_spatial_transformer=True, transformer_depth=1, context_dim=CONTEXT_DIM, use_checkpoint=False,
    legacy=False,
)


class ShapesDiffusion(TinyLatentDiffusion):
    """First stage = exact space-to-depth on images in [-1, 1]."""

    latent_factor = LATENT_FACTOR

    def __init__(self):
        super().__init__(UNET, None, CONTEXT_DIM, scale_factor=1.0)

    def encode_first_stage(self, x):
        return F.pixel_unshuffle(x, LATENT_FACTOR)

    def decode_first_stage(self, z):
        return F.pixel_shuffle(z / self.scale_factor, LATENT_FACTOR)


def build(seed: int = 0) -> ShapesDiffusion:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ShapesDiffusion()


def load(path: Path = WEIGHTS) -> ShapesDiffusion:
    from safetensors.torch import load_file

    if not Path(path).exists():
        raise FileNotFoundError(f"{path} is missing; train it with `python -m easydrag_ext.shapes.train`")
    model = build()
    model.load_state_dict(load_file(str(path)))
    return model.eval()


def load_bundle():
    """The standalone runner's default model, its parameters and its demo scene."""
    from ..engine import LdmAdapter
    from ..params import DragParams
    from ..shapes.tasks import demo_task
    from .bundled import Bundle

    params = DragParams(resize_long_side=IMAGE_SIZE, motion_step=2, snap_radius=3, max_iterations=50)
    return Bundle("ShapesDrag model (32x32 scenes, ldm UNet on 16x16x12 space-to-depth latents, bundled)", LdmAdapter(load()), params, demo_task)
