"""The documentation and comparison tools: DDIM sample grid, loss-curve plot, bench on other weights."""
import numpy as np
import pytest

from easydrag_ext.models import shapes_model
from easydrag_ext.shapes.loss_curve import moving_mean, plot, read_log
from easydrag_ext.models.shapes_model import detail_offset
from easydrag_ext.shapes.samples import ddim_sample, grid, latent


def test_ddim_sample_is_seeded_and_image_shaped():
    model = shapes_model.build(seed=0)
    caps = ["a red disc on a plain grey background", "a blue star on a striped sand background"]
    a = ddim_sample(model, caps, steps=2, seed=1)
    assert a.shape == (2, 32, 32, 3) and a.dtype == np.uint8
    assert np.array_equal(a, ddim_sample(model, caps, steps=2, seed=1))
    assert not np.array_equal(a, ddim_sample(model, caps, steps=2, seed=2))


def _model_whose_prompt_matters():
    # ldm zero-initialises output convolutions and attention projections, so an untrained model
    # ignores its prompt; seeded small weights there make conditional and empty differ
    import torch

    model = shapes_model.build(seed=0)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1 and not p.any():
                p.copy_(torch.randn(p.shape, generator=gen) * 0.05)
    return model


def test_guidance_mixes_conditional_and_empty_prompt_predictions():
    model = _model_whose_prompt_matters()
    caps = ["a red disc on a plain grey background", "a blue star on a striped sand background"]
    plain = ddim_sample(model, caps, steps=2, seed=1)
    assert np.array_equal(ddim_sample(model, caps, steps=2, seed=1, guidance=1.0), plain)
    # scale 0 keeps only the unconditional prediction: the same as sampling the empty prompt
    assert np.array_equal(ddim_sample(model, caps, steps=2, seed=1, guidance=0.0),
                          ddim_sample(model, ["", ""], steps=2, seed=1))
    assert not np.array_equal(ddim_sample(model, caps, steps=2, seed=1, guidance=3.0), plain)


def test_zero_detail_offset_removes_the_2x2_pattern_from_samples():
    model = shapes_model.build(seed=0)            # untrained: its samples are mostly pattern
    caps = ["a red disc on a plain grey background"] * 2
    before = detail_offset(latent(model, ddim_sample(model, caps, steps=3, seed=1)))
    after = detail_offset(latent(model, ddim_sample(model, caps, steps=3, seed=1, zero_detail_offset=True)))
    assert bool((after < 0.5 * before).all()), (before, after)


def test_grid_places_cells_with_gaps():
    rows = [np.zeros((3, 4, 5, 3), np.uint8), np.full((3, 4, 5, 3), 200, np.uint8)]
    img = grid(rows, scale=2, gap=1)
    assert img.size == (3 * (5 * 2 + 1) + 1, 2 * (4 * 2 + 1) + 1)
    arr = np.asarray(img)
    assert tuple(arr[0, 0]) == (255, 255, 255)          # gap
    assert tuple(arr[1, 1]) == (0, 0, 0)                # first row, first cell
    assert tuple(arr[1 + 9 + 1, 1]) == (200, 200, 200)  # second row


def test_loss_curve_reads_and_plots(tmp_path):
    log = tmp_path / "loss.csv"
    log.write_text("step,seconds,loss,lr\n" + "".join(
        f"{i},{i * 1.5},{1.0 / i},1e-3\n" for i in range(1, 201)))
    rows = read_log(log)
    assert rows[0] == (1, 1.5, 1.0) and len(rows) == 200
    img = plot(rows)
    assert img.size == (640, 360)
    arr = np.asarray(img)
    assert (arr.sum(axis=2) == 0).any()                   # the black moving mean is drawn
    assert moving_mean([1, 2, 3, 4], 2) == [1, 1.5, 2.5, 3.5]


def test_empty_loss_log_is_a_clear_error(tmp_path):
    log = tmp_path / "loss.csv"
    log.write_text("step,seconds,loss,lr\n")
    with pytest.raises(ValueError, match="no training steps"):
        read_log(log)


def test_bench_cli_runs_another_weights_file_and_names_it(tmp_path, capsys):
    # how a new training run is compared with the bundled model (docs/shapes.md, runs 5-7)
    from easydrag_ext import cli
    path = tmp_path / "wide.safetensors"
    shapes_model.save(shapes_model.build(seed=0, layout="wide-top"), path)
    assert cli.main(["bench", "shapes", "--tasks", "1", "--methods", "EasyDrag", "--max-iterations", "2",
                     "--weights", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"wide-top layout, from {path}" in out
    assert "| EasyDrag | 1 |" in out
    assert cli.main(["bench", "shapes", "--weights", str(tmp_path / "absent.safetensors")]) == 2
    assert "absent.safetensors is missing" in capsys.readouterr().err
