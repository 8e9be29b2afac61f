"""The training script: runs end to end on a tiny budget, and its weight average is right."""
import csv
from pathlib import Path

import torch

from easydrag_ext.bundled import model as bundled
from research.shapes import layouts
from research.shapes import train


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


def test_by_default_a_run_writes_to_outputs_never_over_the_shipped_weights_or_into_docs():
    # before: --out defaulted to the shipped weights file and --log to docs/shapes_training_loss.csv
    args = train.parse_args([])
    assert Path(args.out).parts[0] == "outputs" and Path(args.log).parts[0] == "outputs"
    assert Path(args.out).resolve() != bundled.WEIGHTS.resolve()


def test_two_steps_write_loadable_weights_and_a_loss_curve(tmp_path):
    out, log = tmp_path / "m.safetensors", tmp_path / "loss.csv"
    train.main(["--max-steps", "2", "--batch", "2", "--out", str(out), "--log", str(log)])
    model = layouts.load(out)
    assert model.model.diffusion_model.training is False
    with open(log) as f:
        rows = list(csv.DictReader(f))
    assert [r["step"] for r in rows] == ["1", "2"] and all(float(r["loss"]) > 0 for r in rows)
    assert log.with_suffix(".png").stat().st_size > 0


def test_the_wide_top_layout_trains_and_loads_back_as_itself(tmp_path):
    # runs 5-7 of research/NOTES.md: load() must read the layout from the file, not assume the shipped one
    out = tmp_path / "wide.safetensors"
    train.main(["--max-steps", "1", "--batch", "2", "--layout", "wide-top", "--out", str(out),
                "--log", str(tmp_path / "loss.csv")])
    model = layouts.load(out)
    assert model.layout == "wide-top"
    unet = model.model.diffusion_model
    assert unet.model_channels == 64 and list(unet.channel_mult) == [1, 1, 1, 1]
    assert unet.out[0].num_groups == 32 and unet.out[0].num_channels == 64   # two channels per group


def test_stage_two_fine_tunes_only_the_head_into_the_paired_out_layout(tmp_path):
    # the shipped recipe's second stage: --init a "narrow" file, --layout narrow-paired-out --head-only.
    # Everything the drag reads (output blocks up to 8, the text encoder) must stay bit for bit.
    first, second = tmp_path / "stage1.safetensors", tmp_path / "stage2.safetensors"
    train.main(["--max-steps", "1", "--batch", "2", "--out", str(first), "--log", str(tmp_path / "1.csv")])
    assert layouts.load(first).layout == "narrow"
    train.main(["--max-steps", "2", "--batch", "2", "--init", str(first), "--layout", "narrow-paired-out",
                "--head-only", "--out", str(second), "--log", str(tmp_path / "2.csv")])
    model = layouts.load(second)
    assert model.layout == "narrow-paired-out" and model.model.diffusion_model.out[0].num_groups == 16
    before, after = layouts.load(first).state_dict(), model.state_dict()
    changed = {k for k in after if not torch.equal(after[k], before[k])}
    head = tuple("model.diffusion_model." + h for h in train.HEAD)
    assert any(k.startswith("model.diffusion_model.output_blocks.11.") for k in changed)
    assert {k for k in changed if not k.startswith(head)} == set()
    assert any(k.startswith("cond_stage_model.") for k in after)       # the text encoder was there, untouched


def test_caption_dropout_replaces_about_the_asked_fraction_with_the_empty_prompt():
    import numpy as np

    _, plain = train.batch(np.random.default_rng(5), 400, 32)
    x_dropped, dropped = train.batch(np.random.default_rng(5), 400, 32, uncond_prob=0.1)
    assert "" not in plain
    empty = {i for i, c in enumerate(dropped) if c == ""}
    assert 20 <= len(empty) <= 60                                    # 40 expected
    assert all(dropped[i] == plain[i] for i in range(400) if i not in empty)   # only captions dropped


def test_offset_noise_adds_one_constant_per_image_and_channel():
    torch.manual_seed(0)
    plain = train.training_noise((64, 12, 16, 16), 0.0)
    torch.manual_seed(0)
    offset = train.training_noise((64, 12, 16, 16), 0.5)
    diff = offset - plain
    # the same iid part, plus a constant over each 16x16 map with std about 0.5
    torch.testing.assert_close(diff, diff[:, :, :1, :1].expand_as(diff), atol=1e-6, rtol=0)
    assert 0.4 < float(diff[:, :, 0, 0].std()) < 0.6
