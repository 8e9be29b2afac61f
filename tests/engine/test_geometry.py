import math

import pytest
from hypothesis import given, strategies as st

from easydrag_ext import next_point
from easydrag_ext.engine.geometry import plan_size


def test_next_point_steps_along_the_direction_and_rounds():
    assert next_point((0, 0), (100, 0)) == (12, 0)
    assert next_point((0, 0), (30, 40)) == (7, 10)          # 12 * (0.6, 0.8) = (7.2, 9.6)
    assert next_point((10, 10), (10, -50)) == (10, -2)


def test_next_point_snaps_inside_the_radius_only():
    assert next_point((0, 0), (17, 0)) == (17, 0)            # 17 < 18: the target
    assert next_point((0, 0), (18, 0)) == (12, 0)            # 18 is not below 18: a step
    assert next_point((5, 5), (5, 5)) == (5, 5)              # arrived: stays (no 0/0)


def test_next_point_rounds_half_to_even_like_torch_round():
    # 12 * (0.625, 0.78...) -> x = 7.5 exactly: torch.round gives 8 (even), as does Python's round
    assert next_point((0, 0), (25, 31.22498999199199), motion_step=12)[0] == 8
    assert next_point((0.5, 0), (100.5, 0), motion_step=2) == (2, 0)  # 2.5 -> 2 (even)


@given(st.tuples(st.integers(-500, 500), st.integers(-500, 500)),
       st.tuples(st.integers(-500, 500), st.integers(-500, 500)),
       st.integers(1, 40), st.integers(0, 60))
def test_next_point_never_overshoots_far_and_always_gets_closer(p, q, step, radius):
    n = next_point(p, q, step, radius)
    d0, d1 = math.dist(p, q), math.dist(n, q)
    if d0 < radius:
        assert n == q
    else:
        assert math.dist(p, n) <= step + 1.0
        if d0 >= step:      # a full step fits: strictly closer (rounding moves < 0.71 px)
            assert d1 < d0
        # with a step longer than the distance left, Algorithm 1 overshoots by design


@pytest.mark.parametrize("w,h,long_side,expect", [
    (512, 512, 512, (512, 512)), (1024, 768, 512, (512, 384)), (768, 1000, 512, (384, 512)),
    (512, 700, 512, (384, 512)), (3000, 100, 512, (512, 64)), (640, 448, 0, (640, 448)),
])
def test_plan_size(w, h, long_side, expect):
    plan = plan_size(w, h, long_side, 64)
    assert plan.work_size == expect
    assert all(s % 64 == 0 for s in plan.work_size)


def test_plan_size_native_needs_multiples():
    with pytest.raises(ValueError, match="multiples of 64"):
        plan_size(500, 512, 0, 64)


@given(st.integers(16, 2000), st.integers(16, 2000), st.data())
def test_points_map_to_work_and_back_within_a_pixel(w, h, data):
    plan = plan_size(w, h, 512, 64)
    x = data.draw(st.floats(0, w - 1))
    y = data.draw(st.floats(0, h - 1))
    wx, wy = plan.to_work((x, y))
    assert 0 <= wx < plan.work_size[0] and 0 <= wy < plan.work_size[1]
    bx, by = plan.to_input((wx, wy))
    sx, sy = w / plan.work_size[0], h / plan.work_size[1]
    assert abs(bx - x) <= sx * 0.5 + 1e-6 + (sx if wx == plan.work_size[0] - 1 else 0)
    assert abs(by - y) <= sy * 0.5 + 1e-6 + (sy if wy == plan.work_size[1] - 1 else 0)


def test_next_point_is_clamped_to_the_image_when_it_overshoots():
    # motion_step > snap_radius: a step from 10 px before the target overshoots it by 30 px
    assert next_point((50, 5), (60, 5), motion_step=40, snap_radius=2) == (90, 5)          # unclamped
    assert next_point((50, 5), (60, 5), motion_step=40, snap_radius=2, size=(64, 64)) == (63, 5)
    assert next_point((13, 13), (3, 3), motion_step=40, snap_radius=2, size=(64, 64)) == (0, 0)


def test_feature_reads_clamp_instead_of_wrapping_around():
    import torch

    from easydrag_ext.engine.losses import sample_points

    feat = torch.arange(16.0).reshape(1, 1, 4, 4)
    inside = sample_points(feat, [(0, 0), (15, 15)], (16, 16))
    outside = sample_points(feat, [(-5, -5), (40, 40)], (16, 16))     # used to read row -5 / IndexError
    assert torch.equal(inside, outside)
