"""Train the bundled ShapesDrag model on freshly generated scenes (fixed seed, CPU).

    python -m research.shapes.train [--minutes 50] [--batch 32] [--init WEIGHTS] [--layout L] [--out FILE]

The shipped weights are two stages (docs/shapes.md): 57 minutes from scratch in the
"narrow" layout, then 10 minutes from those weights in "narrow-paired-out" with
`--head-only --offset-noise 0.1 --uncond-prob 0.1`.

Epsilon prediction with SD's noise schedule, min-SNR-5 loss weighting, and an EMA of the
weights is what gets saved; scenes are generated on the fly, so
there is no dataset to store.  Writes outputs/shapes/shapes_model.safetensors
(every --save-every steps too, so a stopped run still leaves a model) and a loss
curve CSV and PNG beside it, unless --out / --log say otherwise: a run never replaces
the shipped weights (easydrag_ext/bundled/shapes_model.safetensors) unless told to.
"""
from __future__ import annotations

import argparse
import csv
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from easydrag_ext.bundled.model import IMAGE_SIZE
from easydrag_ext.bundled.scenes import random_scene, render
from easydrag_ext.params import DragParams

from . import layouts

OUT = Path("outputs/shapes/shapes_model.safetensors")
LOG = OUT.with_name("training_loss.csv")


def batch(rng: np.random.Generator, n: int, size: int, uncond_prob: float = 0.0):
    """n fresh scenes as images in [-1, 1] and their captions; each caption is replaced by the
    empty prompt with probability `uncond_prob`, so the model also learns the unconditional
    prediction that classifier-free guidance needs."""
    scenes = [random_scene(rng, size) for _ in range(n)]
    x = torch.from_numpy(np.stack([render(s) for s in scenes])).float().permute(0, 3, 1, 2) / 127.5 - 1
    captions = [s.caption() for s in scenes]
    if uncond_prob > 0:
        drop = rng.random(n) < uncond_prob
        captions = ["" if d else c for d, c in zip(drop, captions)]
    return x, captions


def training_noise(shape, offset: float) -> torch.Tensor:
    """Gaussian noise plus, per image and channel, one constant of std `offset` ("offset noise",
    as many SD fine-tunes are trained): it makes predicting the noise's per-channel means matter
    more to the loss.  The "narrow" 32-channel UNet cannot learn that (its last GroupNorm has one
    channel per group); a 64-channel top level can (research/NOTES.md, "where the grain comes from")."""
    noise = torch.randn(shape)
    if offset > 0:
        noise = noise + offset * torch.randn(shape[0], shape[1], 1, 1)
    return noise


# What comes after the last output block the drag reads features from (DragParams.feature_blocks,
# 8 by default) of the 12: output blocks 9-11 and the output layers.
HEAD = tuple(f"output_blocks.{i}." for i in range(max(DragParams().feature_blocks) + 1, 12)) + ("out.",)


def head_parameters(model) -> list:
    """Freeze everything but the UNet's output head; returns the head's parameters.

    Fine-tuning only the head changes how the model predicts noise (sampling, inversion,
    denoising) but leaves every feature the drag's motion supervision and point tracking read
    exactly as they were: the blocks up to 8 and the text encoder whose context they attend to."""
    for p in model.parameters():
        p.requires_grad_(False)
    head = [p for name, p in model.model.diffusion_model.named_parameters() if name.startswith(HEAD)]
    for p in head:
        p.requires_grad_(True)
    return head


class WeightAverage:
    """Exponential moving average of the weights (warmed-up decay), the usual diffusion practice."""

    def __init__(self, params, decay: float):
        self.params, self.decay, self.count = list(params), decay, 0
        self.shadow = [p.detach().clone() for p in self.params]

    @torch.no_grad()
    def update(self) -> None:
        self.count += 1
        d = min(self.decay, (1 + self.count) / (10 + self.count))
        for s, p in zip(self.shadow, self.params):
            s.mul_(d).add_(p.detach(), alpha=1 - d)

    @torch.no_grad()
    def swap(self) -> None:
        """Exchange live and averaged weights (call twice to restore)."""
        for s, p in zip(self.shadow, self.params):
            tmp = p.detach().clone()
            p.copy_(s)
            s.copy_(tmp)


def save_averaged(model, averaged, path: Path) -> None:
    if averaged is None:
        layouts.save(model, path)
        return
    averaged.swap()
    try:
        layouts.save(model, path)
    finally:
        averaged.swap()


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=50.0)
    ap.add_argument("--max-steps", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save-every", type=int, default=250)
    ap.add_argument("--out", default=str(OUT), help=f"weights file (default: {OUT})")
    ap.add_argument("--log", default=str(LOG), help=f"loss CSV; a PNG of it goes beside it (default: {LOG})")
    ap.add_argument("--init", default=None, help="continue from these weights instead of a fresh model")
    ap.add_argument("--ema", type=float, default=0.999,
                    help="decay of the weight average that is saved (0: save the raw weights)")
    ap.add_argument("--min-snr", type=float, default=5.0,
                    help="min-SNR-gamma loss weighting (0: plain eps MSE); shifts effort to noisy steps")
    ap.add_argument("--uncond-prob", type=float, default=0.0,
                    help="fraction of captions replaced by the empty prompt (for classifier-free guidance)")
    ap.add_argument("--offset-noise", type=float, default=0.0,
                    help="std of a per-image, per-channel constant added to the training noise")
    ap.add_argument("--head-only", action="store_true",
                    help="train only what comes after the drag's feature blocks (output blocks 9-11 and the "
                         "output layers); the rest, text encoder included, stays as --init gave it")
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    ap.add_argument("--layout", choices=sorted(layouts.LAYOUTS), default=None,
                    help="UNet layout (default: narrow, stage 1 of the shipped recipe; with --init: the file's, "
                         "or this one if given and its tensors have the same shapes)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = (layouts.build(args.seed, args.layout or "narrow") if args.init is None
             else layouts.load(Path(args.init), layout=args.layout))
    model.train()
    unet, text = model.model.diffusion_model, model.cond_stage_model
    params = list(unet.parameters()) + list(text.parameters())
    if args.head_only:
        params = head_parameters(model)
    print(f"UNet {sum(p.numel() for p in unet.parameters()) / 1e6:.2f} M parameters, training "
          f"{sum(p.numel() for p in params) / 1e6:.2f} M (text encoder included), {torch.get_num_threads()} threads",
          flush=True)
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    averaged = WeightAverage(params, args.ema) if args.ema > 0 else None
    Path(args.log).parent.mkdir(parents=True, exist_ok=True)
    log = open(args.log, "w", newline="")
    writer = csv.writer(log)
    writer.writerow(["step", "seconds", "loss", "lr"])
    # The same attention math as ldm's einsum kernel, much faster on a CPU (cf. the WebUI's "sdp");
    # swapped for the run only, so importing callers (tests) keep their attention.
    from easydrag_ext.engine.sdp import sdp_attention

    with sdp_attention():
        step, ema = _loop(args, model, unet, text, params, opt, averaged, rng, writer, log)
    log.close()
    from .loss_curve import plot, read_log

    plot(read_log(Path(args.log))).save(Path(args.log).with_suffix(".png"))


def _loop(args, model, unet, text, params, opt, averaged, rng, writer, log):
    ac = model.alphas_cumprod
    snr = ac / (1 - ac)
    start, ema, step = time.time(), None, 0
    budget = args.minutes * 60
    while step < args.max_steps and time.time() - start < budget:
        # warm-up, then cosine decay over the time budget
        frac = (time.time() - start) / budget
        lr = args.lr * min(1.0, (step + 1) / max(1, args.warmup)) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))
        for g in opt.param_groups:
            g["lr"] = lr
        x0, captions = batch(rng, args.batch, IMAGE_SIZE, args.uncond_prob)
        x0 = model.get_first_stage_encoding(model.encode_first_stage(x0))
        t = torch.randint(0, 1000, (args.batch,))
        noise = training_noise(x0.shape, args.offset_noise)
        a = ac[t].view(-1, 1, 1, 1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        per_sample = ((unet(xt, t, context=text(captions)) - noise) ** 2).mean(dim=(1, 2, 3))
        loss = per_sample.mean()          # logged: the plain eps MSE, comparable across runs on one first stage
        # min-SNR-gamma (Hang et al. 2023) for eps: weight min(SNR, g) / SNR, i.e. 1 at noisy
        # steps and less at nearly clean ones, where eps MSE is large but matters little.
        weight = (snr[t].clamp(max=args.min_snr) / snr[t]) if args.min_snr > 0 else torch.ones_like(per_sample)
        opt.zero_grad(set_to_none=True)
        (weight * per_sample).mean().backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if averaged is not None:
            averaged.update()
        step += 1
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        writer.writerow([step, round(time.time() - start, 1), round(loss.item(), 5), f"{lr:.2e}"])
        if step % 50 == 0:
            log.flush()
            print(f"step {step} {time.time() - start:7.0f}s loss(ema) {ema:.4f} lr {lr:.1e}", flush=True)
        if step % args.save_every == 0:
            save_averaged(model, averaged, Path(args.out))
    save_averaged(model, averaged, Path(args.out))
    print(f"done: {step} steps in {(time.time() - start) / 60:.1f} min, loss(ema) {ema:.4f}; wrote {args.out}")
    return step, ema


if __name__ == "__main__":
    main()
