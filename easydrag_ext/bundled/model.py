"""The bundled ShapesDrag model: a small latent diffusion model from the real ldm UNet class.

32x32 RGB scenes (scenes.py beside this file), SD-1.5 block layout (12 output blocks,
spatial transformers with self-attention in output blocks 3-11) at small widths, a
learned word-hash text encoder, SD's noise schedule.  The "autoencoder" is fixed and
exact: 2x2 space-to-depth, weighted Haar per block, to a 16x16x12 latent and back, so nothing
is lost and the UNet runs 4x smaller than in pixel space; the engine reads the latent
factor (2, not SD's 8) from `latent_factor`.  Weights: shapes_model.safetensors beside this file,
trained in two stages by research/shapes/train.py (docs/shapes.md gives the recipe).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import torch
import torch.nn.functional as F

from .latent_diffusion import SmallLatentDiffusion

WEIGHTS = Path(__file__).with_name("shapes_model.safetensors")
IMAGE_SIZE = 32
LATENT_FACTOR = 2
LATENT_CHANNELS = 3 * LATENT_FACTOR ** 2
# Like SD's 0.18215, applied by get_first_stage_encoding: the scenes' pixels have std 0.47 in
# [-1, 1], so without it the noise schedule hides twice as much of a scene at each t as it
# hides of an SD latent, and at the drag's t=681 the objects barely show in z_t.
SCALE_FACTOR = 2.0
# Each 2x2 pixel block becomes its orthonormal Haar coefficients per colour: the block average
# (x2) and three differences.  The differences are weighted up before the noise is added, so a
# latent error or an optimiser step of a given size decodes to a 4x smaller 2x2 pattern: a
# first run on plain space-to-depth latents sampled scenes of the right layout covered in
# 2x2-periodic colour noise, and drags sprinkled the same noise over the background.  The
# weights also give the difference channels about the variance of the average ones.
HAAR = 0.5 * torch.tensor([[1., 1., 1., 1.], [1., -1., 1., -1.], [1., 1., -1., -1.], [1., -1., -1., 1.]])
BAND_WEIGHTS = torch.tensor([1., 4., 4., 4.])
# How far a drag's Adam step goes in each latent channel (LdmAdapter.latent_step_scale): half in
# the difference bands.  A drag's latent change there decodes as 2x2 colour noise; on the 24
# tuning tasks halving it kept the distance closed (0.45) and raised the background from 23.3 to
# 24.8 dB (a quarter: 0.42 closed, 25.1 dB), research/NOTES.md.
DRAG_STEP_SCALE = (1.0, 0.5, 0.5, 0.5) * 3
CONTEXT_DIM = 64
# ldm UNetModel arguments of the first training stage ("narrow").
UNET = dict(
    image_size=IMAGE_SIZE // LATENT_FACTOR, in_channels=LATENT_CHANNELS, out_channels=LATENT_CHANNELS, model_channels=32,
    attention_resolutions=[4, 2, 1], num_res_blocks=2, channel_mult=[1, 2, 2, 2], num_heads=4,
    use_spatial_transformer=True, transformer_depth=1, context_dim=CONTEXT_DIM, use_checkpoint=False,
    legacy=False,
)
# The shipped layout: UNET plus `out_norm_groups`, the group count of the UNet's last GroupNorm
# (ldm always builds it with 32).  At 32 top-level channels 32 groups is one channel per group, so
# each channel's mean is removed right before the output convolution and the model cannot predict
# the latent's channel means: its samples keep the starting noise's 2x2 grain.  16 groups (two
# channels each, the same ldm GroupNorm32 class) let it.  The file records its layout's name.
SHIPPED_LAYOUT = "narrow-paired-out"
SHIPPED_UNET = dict(UNET, out_norm_groups=16)


class ShapesDiffusion(SmallLatentDiffusion):
    """First stage = exact, fixed and linear: 2x2 space-to-depth, Haar per block, band weights.

    `config`: ldm UNetModel arguments plus an optional `out_norm_groups`; `layout` names it
    (research/shapes/layouts.py builds the unshipped ones)."""

    latent_factor = LATENT_FACTOR
    latent_step_scale = DRAG_STEP_SCALE

    def __init__(self, config: dict = SHIPPED_UNET, layout: str = SHIPPED_LAYOUT):
        config = dict(config)
        groups = config.pop("out_norm_groups", None)
        super().__init__(config, CONTEXT_DIM, scale_factor=SCALE_FACTOR)
        if groups is not None:
            from ldm.modules.diffusionmodules.util import GroupNorm32

            out = self.model.diffusion_model.out
            out[0] = GroupNorm32(groups, out[0].num_channels)
        self.layout = layout

    def encode_first_stage(self, x):
        u = F.pixel_unshuffle(x, LATENT_FACTOR)                       # (B, 3*4, h, w), colour-major
        b, _, h, w = u.shape
        bands = torch.einsum("kj,bcjhw->bckhw", HAAR.to(u), u.view(b, 3, 4, h, w))
        return (bands * BAND_WEIGHTS.to(u).view(1, 1, 4, 1, 1)).reshape(b, LATENT_CHANNELS, h, w)

    def decode_first_stage(self, z):
        z = z / self.scale_factor
        b, _, h, w = z.shape
        bands = z.reshape(b, 3, 4, h, w) / BAND_WEIGHTS.to(z).view(1, 1, 4, 1, 1)
        u = torch.einsum("kj,bckhw->bcjhw", HAAR.to(z), bands)           # HAAR is its own inverse
        return F.pixel_shuffle(u.reshape(b, LATENT_CHANNELS, h, w), LATENT_FACTOR)


def build(seed: int = 0) -> ShapesDiffusion:
    """The shipped layout with seeded random weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ShapesDiffusion()


def read_weights(path: Path):
    """(tensors, recorded layout name or None) of a weights file; a missing file is a clear error."""
    from safetensors import safe_open

    if not Path(path).is_file():
        raise FileNotFoundError(
            f"the bundled model's weights {path} are missing: they ship with EasyDrag "
            f"(restore them with `git checkout -- {WEIGHTS.relative_to(WEIGHTS.parents[2])}`, or "
            f"retrain them: docs/shapes.md)")
    try:
        with safe_open(str(path), "pt") as f:
            layout = (f.metadata() or {}).get("layout")
            state = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as e:          # safetensors raises its own error type for a file it cannot read
        raise ValueError(f"{path} is not a safetensors weights file ({e})") from None
    return state, layout


def load(path: Optional[Path] = None) -> ShapesDiffusion:
    """The shipped layout with the weights of `path` (the bundled file by default)."""
    path = WEIGHTS if path is None else path
    state, layout = read_weights(path)
    if layout != SHIPPED_LAYOUT:
        raise ValueError(f"{path} holds the {layout or 'unrecorded'} layout, not the shipped {SHIPPED_LAYOUT}; "
                         "research/shapes/layouts.py loads the others")
    model = ShapesDiffusion()
    model.load_state_dict(state)
    return model.eval()
