"""The DragGAN-style ablation lives in the bench: it swaps the engine's one reference rule for a drag."""
import pytest
import torch

from bench.shapes.ablation import current_point_reference, current_point_supervision
from easydrag_ext.engine import optimize
from easydrag_ext.engine.losses import sample_points
from easydrag_ext.params import DragParams


def _drag_latent():
    torch.manual_seed(0)
    weight = torch.randn(6, 4, 3, 3)
    features = lambda z: torch.nn.functional.conv2d(z, weight, padding=1)     # noqa: E731
    z_t = torch.randn(1, 4, 8, 8)
    params = DragParams(max_iterations=3, mask_mode="none", motion_step=1, snap_radius=1, lr=0.1)
    return optimize.optimize_latent(features, z_t, features(z_t), [(1, 1)], [(7, 7)], params, (8, 8)).z


def test_the_engine_supervises_against_the_original_handle_feature():
    f0_handles, feat = torch.randn(2, 5), torch.randn(1, 5, 8, 8)
    assert optimize.handle_reference(feat, f0_handles, [(3, 3), (4, 4)], (8, 8)) is f0_handles


def test_inside_the_block_the_drag_chases_the_current_point_and_after_it_the_original_again():
    plain = _drag_latent()
    with current_point_supervision():
        assert optimize.handle_reference is current_point_reference
        ablated = _drag_latent()
    assert optimize.handle_reference is not current_point_reference
    assert not torch.equal(plain, ablated), "the ablation changes the drag"
    assert torch.equal(_drag_latent(), plain), "and the engine's rule is back"


def test_the_current_point_reference_is_the_present_feature_without_gradient():
    feat = torch.randn(1, 5, 8, 8, requires_grad=True)
    ref = current_point_reference(feat, None, [(2, 3)], (8, 8))
    assert not ref.requires_grad and torch.equal(ref, sample_points(feat, [(2, 3)], (8, 8)).detach())


def test_the_rule_is_put_back_when_the_drag_fails():
    with pytest.raises(RuntimeError), current_point_supervision():
        raise RuntimeError("drag failed")
    assert optimize.handle_reference is not current_point_reference
