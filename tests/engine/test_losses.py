import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from easydrag_ext import auto_mask, similarity_loss
from easydrag_ext.engine.losses import UpsampledCosine, keep_term, sample_points, update_gate


def test_similarity_loss_values():
    f0 = torch.tensor([1.0, 0.0])
    assert similarity_loss(torch.tensor([2.0, 0.0]), f0).item() == pytest.approx(0.5)       # cos 1
    assert similarity_loss(torch.tensor([-1.0, 0.0]), f0).item() == pytest.approx(1.0)      # cos -1
    assert similarity_loss(torch.tensor([0.0, 3.0]), f0).item() == pytest.approx(1 / 1.5)   # cos 0


def test_similarity_loss_shapes_and_stop_gradient():
    f = torch.randn(3, 8, requires_grad=True)
    f0 = torch.randn(3, 8, requires_grad=True)
    loss = similarity_loss(f, f0)
    assert loss.shape == (3,)
    assert similarity_loss(f[0], f0[0]).shape == ()
    loss.sum().backward()
    assert f.grad is not None and f.grad.abs().sum() > 0
    assert f0.grad is None


def test_auto_mask_exact_small_case():
    g = torch.zeros(1, 4, 2, 3)
    g[0, :, 0, 0] = 1.0      # mean 1 -> normalised 1
    g[0, :, 1, 2] = -0.4     # mean -0.4 -> |.| 0.4 -> 0.4: not above 0.4
    g[0, 0, 0, 1] = 2.0      # mean 0.5 -> 0.5
    expect = torch.tensor([[True, True, False], [False, False, False]])
    assert torch.equal(auto_mask(g, 0.4), expect)
    assert auto_mask(g, 0.4).dtype == torch.bool


def test_auto_mask_uses_the_channel_mean_before_abs():
    g = torch.zeros(1, 2, 1, 2)
    g[0, 0, 0, 0], g[0, 1, 0, 0] = 1.0, -1.0    # cancels: mean 0
    g[0, 0, 0, 1] = 0.5
    assert auto_mask(g, 0.4).tolist() == [[False, True]]


def test_auto_mask_constant_gradient_is_all_false_not_nan():
    for value in (0.0, 3.0):
        m = auto_mask(torch.full((1, 4, 5, 5), value), 0.4)
        assert m.shape == (5, 5) and not m.any()


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 9), st.integers(2, 9), st.sampled_from([1, 2, 4, 8]), st.integers(0, 10_000))
def test_point_reads_equal_the_upsampled_map(h, w, factor, seed):
    g = torch.Generator().manual_seed(seed)
    feat = torch.randn(1, 6, h, w, generator=g)
    H, W = h * factor, w * factor
    up = F.interpolate(feat, (H, W), mode="bilinear")
    pts = [(int(torch.randint(0, W, (1,), generator=g)), int(torch.randint(0, H, (1,), generator=g)))
           for _ in range(5)] + [(0, 0), (W - 1, H - 1)]
    naive = torch.stack([up[0, :, y, x] for x, y in pts])
    assert torch.allclose(sample_points(feat, pts, (H, W)), naive, atol=1e-5)


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 8), st.integers(2, 8), st.sampled_from([1, 3, 8]), st.integers(0, 10_000))
def test_masked_cosine_equals_the_naive_full_resolution_formula(h, w, factor, seed):
    g = torch.Generator().manual_seed(seed)
    f, f0 = torch.randn(1, 5, h, w, generator=g), torch.randn(1, 5, h, w, generator=g)
    H, W = h * factor, w * factor
    keep = torch.rand(H, W, generator=g) > 0.3
    keep[0, 0] = True
    ours = keep_term(UpsampledCosine(f0, (H, W))(f), keep, 0.1)
    # The official formula: zero the editable pixels, mean cosine over the kept ones.
    up, up0 = F.interpolate(f, (H, W), mode="bilinear"), F.interpolate(f0, (H, W), mode="bilinear")
    k = keep.float()
    s = (F.cosine_similarity(up * k, up0 * k, dim=1).sum() / k.sum() + 1) / 2
    assert ours.item() == pytest.approx((0.1 / (1 + s)).item(), abs=1e-6)


def test_masked_cosine_gradient_matches_naive():
    torch.manual_seed(0)
    f = torch.randn(1, 4, 3, 5, requires_grad=True)
    f0 = torch.randn(1, 4, 3, 5)
    keep = torch.ones(24, 40, dtype=torch.bool)
    keep[5:12, 10:30] = False
    keep_term(UpsampledCosine(f0, (24, 40))(f), keep, 0.1).backward()
    ours = f.grad.clone()
    f.grad = None
    up, up0 = F.interpolate(f, (24, 40), mode="bilinear"), F.interpolate(f0, (24, 40), mode="bilinear")
    k = keep.float()
    s = (F.cosine_similarity(up * k, up0 * k, dim=1).sum() / k.sum() + 1) / 2
    (0.1 / (1 + s)).backward()
    assert torch.allclose(ours, f.grad, atol=1e-6)


def test_update_gate_exact_small_case():
    editable = torch.zeros(8, 8, dtype=torch.bool)
    editable[2, 5] = True                      # pixel (x 5, y 2) lies in latent cell (row 1, col 2)
    touched = torch.zeros(4, 4)
    touched[1, 2] = 1
    assert torch.equal(update_gate(editable, (4, 4), 0)[0, 0], touched)
    grown = torch.zeros(4, 4)
    grown[0:3, 1:4] = 1                        # 2 px at 2 px per cell: one cell each way, clipped
    assert torch.equal(update_gate(editable, (4, 4), 2)[0, 0], grown)
    assert torch.equal(update_gate(editable, (4, 4), 1)[0, 0], grown), "part of a cell counts as the cell"


@settings(max_examples=60, deadline=None)
@given(h=st.integers(1, 6), w=st.integers(1, 6), factor=st.sampled_from([1, 2, 8]),
       margin=st.integers(0, 20), seed=st.integers(0, 2**16))
def test_update_gate_is_the_touched_cells_grown_by_the_margin(h, w, factor, margin, seed):
    g = torch.Generator().manual_seed(seed)
    editable = torch.rand(h * factor, w * factor, generator=g) > 0.9
    gate = update_gate(editable, (h, w), margin)[0, 0]
    assert gate.shape == (h, w) and set(gate.unique().tolist()) <= {0.0, 1.0}
    touched = [(i, j) for i in range(h) for j in range(w)
               if editable[i * factor:(i + 1) * factor, j * factor:(j + 1) * factor].any()]
    reach = math.ceil(margin / factor)
    for i in range(h):
        for j in range(w):
            near = any(max(abs(i - a), abs(j - b)) <= reach for a, b in touched)
            assert bool(gate[i, j]) == near
