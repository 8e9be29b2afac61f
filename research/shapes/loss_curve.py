"""Draw the training loss CSV (step, seconds, loss, lr) as a PNG, with Pillow only.

    python -m research.shapes.loss_curve [outputs/shapes/training_loss.csv] [PNG, default: beside the CSV]

Log-scale loss against minutes of training; grey: per-step loss, black: a moving mean.
Pillow instead of matplotlib so that nothing beyond the WebUI's own packages is needed.
"""
from __future__ import annotations

import csv
import math
import sys
from pathlib import Path
from typing import List, Tuple

from PIL import Image, ImageDraw


def read_log(path: Path) -> List[Tuple[int, float, float]]:
    with open(path, newline="") as f:
        rows = [(int(r["step"]), float(r["seconds"]), float(r["loss"])) for r in csv.DictReader(f)]
    if not rows:
        raise ValueError(f"{path} has no training steps")
    return rows


def moving_mean(values: List[float], window: int) -> List[float]:
    out, acc = [], 0.0
    for i, v in enumerate(values):
        acc += v
        if i >= window:
            acc -= values[i - window]
        out.append(acc / min(i + 1, window))
    return out


def plot(rows: List[Tuple[int, float, float]], width: int = 640, height: int = 360) -> Image.Image:
    left, right, top, bottom = 56, 16, 24, 40
    img = Image.new("RGB", (width, height), (255, 255, 255))
    d = ImageDraw.Draw(img)
    minutes = [r[1] / 60 for r in rows]
    losses = [max(r[2], 1e-6) for r in rows]
    lo = 10 ** math.floor(math.log10(min(losses)))
    hi = 10 ** math.ceil(math.log10(max(losses)))
    t_max = max(minutes[-1], 1e-6)

    def xy(m: float, loss: float) -> Tuple[float, float]:
        fx = m / t_max
        fy = (math.log10(loss) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        return left + fx * (width - left - right), height - bottom - fy * (height - top - bottom)

    # axes, decade grid lines and labels
    d.rectangle([left, top, width - right, height - bottom], outline=(0, 0, 0))
    decade = lo
    while decade <= hi * 1.0001:
        _, y = xy(0, decade)
        d.line([left, y, width - right, y], fill=(225, 225, 225))
        d.text((4, y - 6), f"{decade:g}", fill=(0, 0, 0))
        decade *= 10
    tick = next(s for s in (0.5, 1, 2, 5, 10, 20, 50, 100) if t_max / s <= 8)
    m = 0.0
    while m <= t_max + 1e-9:
        x, _ = xy(m, lo)
        d.line([x, height - bottom, x, height - bottom + 4], fill=(0, 0, 0))
        d.text((x - 8, height - bottom + 6), f"{m:g}", fill=(0, 0, 0))
        m += tick
    d.text((width // 2 - 80, height - 18), "minutes of training (wall clock)", fill=(0, 0, 0))
    d.text((left, 6), f"training loss (eps MSE), {rows[-1][0]} steps", fill=(0, 0, 0))
    d.line([xy(m, v) for m, v in zip(minutes, losses)], fill=(190, 190, 190))
    d.line([xy(m, v) for m, v in zip(minutes, moving_mean(losses, 50))], fill=(0, 0, 0), width=2)
    return img


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    src = Path(argv[0] if argv else "outputs/shapes/training_loss.csv")
    dst = Path(argv[1] if len(argv) > 1 else src.with_suffix(".png"))
    plot(read_log(src)).save(dst)
    print(f"wrote {dst}")


if __name__ == "__main__":
    main()
