"""The lab's inspection tools: DDIM sample grid, loss-curve plot, the detail-band diagnostics."""
import numpy as np
import pytest
import torch

from easydrag_ext.bundled import model as shapes_model
from research.shapes.detail_bands import detail_offset, without_detail_offset
from research.shapes.loss_curve import moving_mean, plot, read_log
from research.shapes.samples import ddim_sample, grid, latent


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


def test_detail_offset_is_the_mean_of_the_difference_bands_and_removing_it_keeps_averages():
    z = torch.zeros(2, shapes_model.LATENT_CHANNELS, 4, 4)
    z[0, 1] = 0.6                               # red horizontal difference, constant: a 2x2 pattern
    z[0, 5, 0, 0] = 1.6                         # green vertical difference, one block (an edge)
    z[1, 0] = torch.arange(16.).view(4, 4)      # block averages only
    torch.testing.assert_close(detail_offset(z), torch.tensor([(0.6 + 0.1) / 9, 0.0]))
    flat = without_detail_offset(z)
    assert torch.equal(flat[:, [0, 4, 8]], z[:, [0, 4, 8]])
    torch.testing.assert_close(detail_offset(flat), torch.zeros(2))
    torch.testing.assert_close(flat[0, 5, 0, 0], torch.tensor(1.5))
