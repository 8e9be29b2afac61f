"""Where and how far a drag changes the latent: confine_to_mask, and a model's per-channel step scale."""
import pytest
import torch
import torch.nn.functional as F

from easydrag_ext import DragParams
from easydrag_ext.engine.optimize import optimize_latent

OUT_HW = (32, 32)      # image pixels; the latent is 8x8, so 4 pixels per cell


def features_of(seed=0):
    weight = torch.randn(6, 4, 3, 3, generator=torch.Generator().manual_seed(seed))
    return lambda z: F.conv2d(z, weight, padding=1)


def run(params, editable=None, step_scale=None):
    z_t = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(1))
    features = features_of()
    f0 = features(z_t)
    out = optimize_latent(features, z_t, f0, [(6, 6)], [(18, 6)], params, OUT_HW, user_editable=editable,
                          step_scale=step_scale)
    return z_t, out


PARAMS = DragParams(max_iterations=6, lr=0.1, motion_step=4, snap_radius=6, mask_mode="user")


def test_a_painted_region_confines_the_update_to_its_cells_and_margin():
    editable = torch.zeros(OUT_HW, dtype=torch.bool)
    editable[0:12, 0:20] = True                    # cells rows 0-2, cols 0-4
    z_t, out = run(PARAMS.replace(confine_to_mask=True, confine_margin=4), editable)
    changed = (out.z != z_t).any(dim=1)[0]
    allowed = torch.zeros(8, 8, dtype=torch.bool)
    allowed[0:4, 0:6] = True                       # grown by 4 px = one cell
    assert out.iterations > 0 and changed.any()
    assert not (changed & ~allowed).any(), "a cell outside the region and its margin changed"


def test_unconfined_the_update_reaches_past_the_region():
    editable = torch.zeros(OUT_HW, dtype=torch.bool)
    editable[0:12, 0:20] = True
    z_t, out = run(PARAMS, editable)
    changed = (out.z != z_t).any(dim=1)[0]
    assert changed[4:, :].any() or changed[:, 6:].any()


def test_the_auto_mask_confines_too():
    z_t, out = run(PARAMS.replace(mask_mode="auto", confine_to_mask=True, confine_margin=0))
    _, free = run(PARAMS.replace(mask_mode="auto"))
    changed = (out.z != z_t).any(dim=1)[0].sum()
    assert 0 < changed < (free.z != z_t).any(dim=1)[0].sum()


def test_without_a_mask_there_is_nothing_to_confine_to():
    z_t, out = run(PARAMS.replace(mask_mode="none", confine_to_mask=True))
    _, free = run(PARAMS.replace(mask_mode="none"))
    assert torch.equal(out.z, free.z)


def test_a_step_scale_of_zero_freezes_a_channel_and_ones_change_nothing():
    params = PARAMS.replace(mask_mode="auto")
    z_t, plain = run(params)
    _, ones = run(params, step_scale=torch.ones(1, 4, 1, 1))
    assert torch.allclose(ones.z, plain.z, atol=1e-5) and ones.handles == plain.handles
    _, frozen = run(params, step_scale=torch.tensor([0.0, 1.0, 1.0, 1.0]).view(1, 4, 1, 1))
    assert torch.equal(frozen.z[:, 0], z_t[:, 0])
    assert not torch.equal(frozen.z[:, 1:], z_t[:, 1:])


def test_a_smaller_step_scale_moves_its_channel_less():
    params = PARAMS.replace(mask_mode="auto", max_iterations=1)     # one Adam step: exactly lr * scale
    z_t, out = run(params, step_scale=torch.tensor([1.0, 0.5, 1.0, 1.0]).view(1, 4, 1, 1))
    step = (out.z - z_t).abs().amax(dim=(0, 2, 3))
    assert step[0] == pytest.approx(params.lr, rel=1e-3)
    assert step[1] == pytest.approx(params.lr / 2, rel=1e-3)


def test_the_adapter_reads_the_models_step_scale():
    from easydrag_ext import LdmAdapter
    from easydrag_ext.bundled import model as shapes_model
    from easydrag_ext.testing.tiny_ldm import build_tiny_model

    assert LdmAdapter(build_tiny_model()).latent_step_scale is None       # SD-like: none
    scale = LdmAdapter(shapes_model.build()).latent_step_scale
    assert scale.shape == (1, shapes_model.LATENT_CHANNELS, 1, 1)
    assert scale.flatten().tolist() == list(shapes_model.DRAG_STEP_SCALE)
