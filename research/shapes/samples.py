"""DDIM samples from the bundled model beside real scenes with the same captions.

    python -m research.shapes.samples [--weights PATH] [--out outputs/shapes/samples.png] [--guidance 3]

The grid shows, per column, a real scene (top) and the model's sample for that scene's
caption (below, one row per seed), upscaled with nearest neighbours.  It is the
"do the samples look like the training scenes" check; scenes come from the held-out
seed range so the captions were not memorised pixel for pixel.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import List, Sequence

import numpy as np
import torch
from PIL import Image

from easydrag_ext.bundled import model as bundled
from easydrag_ext.bundled.scenes import HELD_OUT_SEED, random_scene, render
from easydrag_ext.engine.schedule import DDIMSchedule
from easydrag_ext.engine.sdp import sdp_attention

from . import layouts
from .detail_bands import detail_offset, without_detail_offset


@torch.no_grad()
def ddim_sample(model, captions: Sequence[str], steps: int = 50, seed: int = 0, clip: bool = True,
                guidance: float = 1.0, zero_detail_offset: bool = False) -> np.ndarray:
    """Conditional DDIM (eta 0) from pure noise; returns (n, H, W, 3) uint8.

    `guidance`: classifier-free guidance scale, like txt2img's CFG scale (1: the plain
    conditional prediction; >1 needs a model trained with empty prompts, `train --uncond-prob`).
    `zero_detail_offset`: a diagnostic, not the model's own samples: each x0 estimate loses
    the spatial mean of its Haar difference bands (`detail_bands.without_detail_offset`).

    `clip`: each step's x0 estimate is clipped to the image range, as pixel-space DDPMs do
    (ldm's `clip_denoised`): decoded, clamped to [-1, 1] and encoded again, exact here
    because the first stage is a fixed invertible linear map.
    At the noisiest steps a small eps error is amplified ~14x in x0, which clipping bounds.
    Runs under SDP attention (same math as ldm's einsum kernel, much faster on a CPU).
    """
    unet = model.model.diffusion_model
    sched = DDIMSchedule.make(model.alphas_cumprod, steps)
    ctx = model.get_learned_conditioning(list(captions))
    uncond = model.get_learned_conditioning([""] * len(captions)) if guidance != 1.0 else None
    gen = torch.Generator().manual_seed(seed)
    size = unet.image_size
    z = torch.randn((len(captions), unet.in_channels, size, size), generator=gen)
    with sdp_attention():
        for i in reversed(range(steps)):
            t = torch.full((len(captions),), sched.timesteps[i], dtype=torch.long)
            eps = unet(z, t, context=ctx)
            if uncond is not None:
                eps_u = unet(z, t, context=uncond)
                eps = eps_u + guidance * (eps - eps_u)
            if clip or zero_detail_offset:
                a = sched.alphas[i]
                x0 = (z - (1 - a) ** 0.5 * eps) / a ** 0.5
                if zero_detail_offset:
                    x0 = without_detail_offset(x0)
                if clip:
                    x0 = model.get_first_stage_encoding(model.encode_first_stage(model.decode_first_stage(x0).clamp(-1, 1)))
                eps = (z - a ** 0.5 * x0) / (1 - a) ** 0.5      # the eps consistent with the adjusted x0
            z = sched.denoise_step(z, eps, i)
    x = model.decode_first_stage(z).clamp(-1, 1)       # z is the scaled latent, as in SD
    return ((x + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()


def latent(model, images: np.ndarray) -> torch.Tensor:
    """(n, H, W, 3) uint8 -> the model's scaled latents."""
    x = torch.from_numpy(np.ascontiguousarray(images)).float().permute(0, 3, 1, 2) / 127.5 - 1
    return model.get_first_stage_encoding(model.encode_first_stage(x))


def grid(rows: List[np.ndarray], scale: int = 4, gap: int = 2) -> Image.Image:
    """rows: list of (n, h, w, 3) uint8 arrays, all of the same n; white gaps between cells."""
    n, h, w, _ = rows[0].shape
    cw, ch = w * scale + gap, h * scale + gap
    out = Image.new("RGB", (n * cw + gap, len(rows) * ch + gap), (255, 255, 255))
    for r, arr in enumerate(rows):
        for c in range(n):
            cell = Image.fromarray(arr[c]).resize((w * scale, h * scale), Image.NEAREST)
            out.paste(cell, (gap + c * cw, gap + r * ch))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", default=str(bundled.WEIGHTS), help="weights of any layout (default: the shipped ones)")
    ap.add_argument("--out", default="outputs/shapes/samples.png")
    ap.add_argument("--columns", type=int, default=8)
    ap.add_argument("--seeds", type=int, default=2, help="sample rows per caption")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--no-clip", action="store_true", help="do not clip x0 estimates to the image range")
    ap.add_argument("--guidance", type=float, default=3.0,
                    help="classifier-free guidance scale, like txt2img's CFG (1: none; the shipped model "
                         "learned the empty prompt in its second training stage)")
    ap.add_argument("--zero-detail-offset", action="store_true",
                    help="diagnostic: remove the Haar difference bands' means from every x0 estimate")
    args = ap.parse_args(argv)

    model = layouts.load(Path(args.weights))
    rng = np.random.default_rng(HELD_OUT_SEED - 1)     # outside both training and task seeds
    scenes = [random_scene(rng, bundled.IMAGE_SIZE) for _ in range(args.columns)]
    captions = [s.caption() for s in scenes]
    rows = [np.stack([render(s) for s in scenes])]
    rows += [ddim_sample(model, captions, args.steps, seed, not args.no_clip, args.guidance, args.zero_detail_offset)
             for seed in range(args.seeds)]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    grid(rows).save(args.out)
    for i, c in enumerate(captions):
        print(f"column {i + 1}: {c}")
    offsets = [float(detail_offset(latent(model, r)).mean()) for r in rows]
    print(f"detail-band offset (2x2 pattern), scenes {offsets[0]:.3f}, samples "
          + ", ".join(f"{o:.3f}" for o in offsets[1:]))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
