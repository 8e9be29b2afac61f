"""Pictures for docs/: DDIM samples of the bundled model next to real scenes, and the loss curve.

    python -m easydrag_ext.shapes.report
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from ..engine.schedule import DDIMSchedule
from ..engine.sdp import sdp_attention
from ..models import shapes_model
from .scenes import random_scene, render


@torch.no_grad()
def sample(model, prompts, steps: int = 50, seed: int = 0) -> np.ndarray:
    """Plain DDIM (eta 0) from noise, conditioned on each prompt; (N, 32, 32, 3) uint8."""
    sched = DDIMSchedule.make(model.alphas_cumprod, steps)
    g = torch.Generator().manual_seed(seed)
    n, s = len(prompts), shapes_model.IMAGE_SIZE // shapes_model.LATENT_FACTOR
    z = torch.randn(n, shapes_model.LATENT_CHANNELS, s, s, generator=g)
    ctx = model.get_learned_conditioning(prompts)
    unet = model.model.diffusion_model
    for i in reversed(range(steps)):
        eps = unet(z, torch.full((n,), sched.timesteps[i]), context=ctx)
        z = sched.denoise_step(z, eps, i)
    x = model.decode_first_stage(z).clamp(-1, 1)
    return ((x + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()


def grid(images, cols: int, scale: int = 3) -> Image.Image:
    rows = [np.concatenate(images[i:i + cols], axis=1) for i in range(0, len(images), cols)]
    g = Image.fromarray(np.concatenate(rows, axis=0))
    return g.resize((g.width * scale, g.height * scale), Image.NEAREST)


def loss_plot(csv_path: Path, out: Path, width: int = 640, height: int = 240) -> None:
    rows = list(csv.DictReader(open(csv_path)))
    loss = np.array([float(r["loss"]) for r in rows])
    k = 50
    smooth = np.convolve(loss, np.ones(k) / k, mode="valid") if len(loss) > k else loss
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    lo, hi = 0.0, float(max(smooth.max(), 0.1))
    pts = [(40 + i * (width - 50) / max(1, len(smooth) - 1), height - 20 - (v - lo) / (hi - lo) * (height - 40))
           for i, v in enumerate(smooth)]
    d.line(pts, fill=(30, 80, 200), width=2)
    d.line([(40, 10), (40, height - 20), (width - 10, height - 20)], fill="black")
    d.text((45, 10), f"training loss (mean of {k} steps); max {hi:.3f}", fill="black")
    d.text((45, height - 18), f"0 .. {len(loss)} steps, {float(rows[-1]['seconds']) / 60:.0f} min", fill="black")
    d.text((width - 150, 10), f"final {smooth[-1]:.4f}", fill="black")
    img.save(out)


def main():
    docs = Path("docs")
    docs.mkdir(exist_ok=True)
    model = shapes_model.load()
    rng = np.random.default_rng(123)
    scenes = [random_scene(rng) for _ in range(8)]
    with sdp_attention():
        samples = sample(model, [s.caption() for s in scenes])
    real = [render(s) for s in scenes]
    grid(real + list(samples), cols=8).save(docs / "shapes_samples.png")
    for s in scenes:
        print(s.caption())
    if (docs / "shapes_training_loss.csv").exists():
        loss_plot(docs / "shapes_training_loss.csv", docs / "shapes_training_loss.png")
    print("wrote docs/shapes_samples.png (top: real scenes, bottom: samples for their captions)")


if __name__ == "__main__":
    main()
