"""The training script: runs end to end on a tiny budget, and its weight average is right."""
import csv

import torch

from easydrag_ext.models import shapes_model
from easydrag_ext.shapes import train


def test_weight_average_follows_and_swaps_back():
    p = torch.nn.Parameter(torch.zeros(3))
    avg = train.WeightAverage([p], decay=0.5)
    with torch.no_grad():
        p.fill_(1.0)
    avg.update()                            # warm-up decay min(0.5, 2 / 11) = 2/11
    assert torch.allclose(avg.shadow[0], torch.full((3,), 9 / 11))
    avg.swap()
    assert torch.allclose(p, torch.full((3,), 9 / 11))
    avg.swap()
    assert torch.equal(p.detach(), torch.ones(3))


def test_two_steps_write_loadable_weights_and_a_loss_curve(tmp_path):
    out, log = tmp_path / "m.safetensors", tmp_path / "loss.csv"
    train.main(["--max-steps", "2", "--batch", "2", "--out", str(out), "--log", str(log)])
    model = shapes_model.load(out)
    assert model.model.diffusion_model.training is False
    with open(log) as f:
        rows = list(csv.DictReader(f))
    assert [r["step"] for r in rows] == ["1", "2"] and all(float(r["loss"]) > 0 for r in rows)
    assert log.with_suffix(".png").stat().st_size > 0
