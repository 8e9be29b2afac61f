"""ShapesDrag geometry: exact small cases for the tasks and metrics."""
import numpy as np
import pytest
from PIL import Image

from bench.shapes.metrics import find_displacement, psnr, score, ssim_map
from easydrag_ext.bundled.tasks import make_task, tasks
from easydrag_ext.bundled.scenes import random_scene, render


def test_tasks_keep_the_object_on_the_image_and_are_held_out():
    ts = tasks(20)
    assert ts == tasks(20)
    for t in ts:
        assert 3 <= t.distance <= 0.31 * 32 * 1.5
        o = t.scene.moved(t.index, *t.offset).objects[t.index]
        assert o.r <= o.x <= 31 - o.r and o.r <= o.y <= 31 - o.r
    train_first = random_scene(np.random.default_rng(0))
    assert all(t.scene != train_first for t in ts)


def test_tuning_tasks_are_not_benchmark_tasks():
    from easydrag_ext.bundled.tasks import TUNING_FIRST_TASK

    tuning = tasks(8, first=TUNING_FIRST_TASK)
    assert tuning[0] == make_task(TUNING_FIRST_TASK) and TUNING_FIRST_TASK >= 40
    reported = {t.scene for t in tasks(40)}
    assert not any(t.scene in reported for t in tuning)


def test_the_ground_truth_answer_scores_perfectly():
    for t in tasks(8):
        s = score(t, t.answer())
        assert s.md_gt == pytest.approx(0.0, abs=1.01)   # rounding of the centre to whole pixels
        assert s.closed > 0.8
        assert s.bg_psnr == 100.0 and s.bg_ssim == pytest.approx(1.0)


def test_the_no_op_closes_nothing():
    for t in tasks(8):
        s = score(t, t.image())
        assert s.md_gt == pytest.approx(t.distance)
        assert s.closed == pytest.approx(0.0)
        assert s.bg_psnr == 100.0 and s.bg_ssim == pytest.approx(1.0)   # the background is untouched


def test_find_displacement_exact():
    img = np.zeros((16, 16, 3), np.uint8)
    img[4:7, 4:7] = (200, 10, 10)
    moved = np.roll(np.roll(img, 3, axis=1), -2, axis=0)
    mask = np.zeros((16, 16), bool)
    mask[4:7, 4:7] = True
    assert find_displacement(img, moved, mask, 5) == (3, -2)


def test_psnr_and_ssim_reference_values():
    a = np.full((8, 8, 3), 100, np.uint8)
    b = a.copy()
    b[0, 0, 0] = 110                       # one error of 10 in 192 values
    assert psnr(a, b) == pytest.approx(10 * np.log10(255 ** 2 / (100 / 192)))
    assert ssim_map(a, a).min() == pytest.approx(1.0)
    c1 = (0.01 * 255) ** 2      # constant images: only the luminance term remains
    assert ssim_map(a, 255 - a).mean() == pytest.approx((2 * 100 * 155 + c1) / (100 ** 2 + 155 ** 2 + c1))
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    assert ssim_map(noise, 255 - noise).mean() < 0


def test_an_erased_object_is_lost_and_scores_as_not_moved():
    for t in tasks(6):
        erased = Image.fromarray(render(t.scene.without(t.index)))
        s = score(t, erased)
        assert s.lost
        assert s.md_gt == pytest.approx(t.distance) and s.closed == pytest.approx(0.0)


def test_noise_is_not_an_object():
    rng = np.random.default_rng(3)
    for t in tasks(6):
        noise = Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
        s = score(t, noise)
        assert s.lost and s.closed == pytest.approx(0.0)
        assert s.bg_psnr < 15 and s.bg_ssim < 0.2


def test_a_blurred_answer_is_still_found_at_the_target():
    import cv2

    for t in tasks(6):
        blurred = cv2.GaussianBlur(np.asarray(t.answer()), (3, 3), 0.8)
        s = score(t, Image.fromarray(blurred))
        assert not s.lost
        assert s.md_gt <= 1.01 and s.closed > 0.8
        assert 20 < s.bg_psnr < 100


def test_half_way_is_half_closed():
    for t in tasks(8):
        dx, dy = t.offset
        if abs(dx) % 2 or abs(dy) % 2:
            continue
        half = Image.fromarray(render(t.scene.moved(t.index, dx / 2, dy / 2)))
        s = score(t, half)
        assert not s.lost
        assert s.closed == pytest.approx(0.5, abs=1.01 / t.distance)
