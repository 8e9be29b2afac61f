"""End-to-end drags on the tiny seeded model: behaviour, progress, stop, errors, host left untouched."""
import math

import numpy as np
import pytest
import torch
from PIL import Image

from easydrag_ext import DragCancelled, DragParams, LdmAdapter, drag
from easydrag_ext.engine.events import PHASES
from easydrag_ext.testing.tiny_ldm import build_tiny_model

from .helpers import assert_same_host, disc_image, host_snapshot, plain_unet_call

FAST = DragParams(resize_long_side=64, inversion_steps=10, drag_step_index=7, reference_steps=4,
                  max_iterations=3, motion_step=4, snap_radius=6)


def test_drag_moves_the_tracked_handle_toward_the_target(adapter):
    params = FAST.replace(max_iterations=40)
    path = []
    r = drag(adapter, disc_image(), "a red disc", [(20, 20)], [(40, 30)], params=params,
             progress=lambda e: path.append(e.handles[0]) if e.phase == "drag" else None)
    start = math.dist((20, 20), (40, 30))
    assert math.dist(r.final_handles[0], (40, 30)) < start - 3
    assert r.image.size == (64, 64) and r.image.mode == "RGB"
    dists = [math.dist(p, (40, 30)) for p in path]
    assert dists == sorted(dists, reverse=True), "tracking only ever moves toward the target"


def test_progress_reports_every_step_in_input_coordinates(adapter):
    events = []
    img = disc_image(size=128).resize((128, 96))       # non-square, resized to 64x48 -> 64x64 grid
    r = drag(adapter, img, "a red disc", [(40, 40)], [(80, 60)], params=FAST, progress=events.append)
    by_phase = {p: [e for e in events if e.phase == p] for p in PHASES}
    assert [e.phase for e in events] == sorted((e.phase for e in events), key=PHASES.index), "in order"
    for p in ("encode", "features", "decode"):          # one-step phases: start and end
        assert [(e.step, e.total) for e in by_phase[p]] == [(0, 1), (1, 1)]
    assert [e.step for e in by_phase["inversion"]] == list(range(0, 8))     # step 0: the phase starts
    assert [e.step for e in by_phase["denoise"]] == list(range(0, 8))
    assert [e.step for e in by_phase["drag"]] == list(range(0, r.iterations + 1))
    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] == 1
    assert all(e.total == 7 for e in by_phase["inversion"] + by_phase["denoise"])
    first = by_phase["inversion"][0].handles[0]
    assert first == pytest.approx((40, 40), abs=1.0)    # input pixels, not working pixels
    assert r.image.size == (128, 96)
    assert r.mask is not None and r.mask.shape == (96, 128) and r.mask.dtype == bool
    assert r.mask_heat.shape == (96, 128) and 0 <= r.mask_heat.min() and r.mask_heat.max() <= 1
    assert set(r.timings) >= {"encode", "inversion", "features", "drag", "denoise", "decode", "total"}


@pytest.mark.parametrize("where", ["inversion", "drag", "denoise"])
def test_stop_raises_and_restores_the_host(tiny_model, adapter, where):
    before = host_snapshot(tiny_model)
    out_before = plain_unet_call(tiny_model)
    seen = []

    def stop():
        return bool(seen) and seen[-1] == where

    with pytest.raises(DragCancelled):
        drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST,
             progress=lambda e: seen.append(e.phase), should_stop=stop)
    assert_same_host(before, host_snapshot(tiny_model))
    assert torch.equal(plain_unet_call(tiny_model), out_before)


def test_an_error_mid_drag_restores_the_host(tiny_model, adapter):
    tiny_model.model.diffusion_model.output_blocks[4].train()     # odd host state must survive too
    next(tiny_model.model.diffusion_model.parameters()).requires_grad_(False)
    before = host_snapshot(tiny_model)

    def boom(event):
        if event.phase == "denoise":
            raise RuntimeError("injected failure")

    try:
        with pytest.raises(RuntimeError, match="injected"):
            drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST, progress=boom)
        assert_same_host(before, host_snapshot(tiny_model))
    finally:
        tiny_model.model.diffusion_model.output_blocks[4].eval()
        next(tiny_model.model.diffusion_model.parameters()).requires_grad_(True)


def test_a_finished_drag_leaves_the_host_bit_identical(tiny_model, adapter):
    before = host_snapshot(tiny_model)
    out_before = plain_unet_call(tiny_model)
    drag(adapter, disc_image(), "x", [(20, 20), (10, 50)], [(40, 30), (12, 40)], params=FAST)
    assert_same_host(before, host_snapshot(tiny_model))
    assert torch.equal(plain_unet_call(tiny_model), out_before)


def test_half_precision_weights_run_under_autocast_and_stay_half():
    model = build_tiny_model()
    for m in model.model.diffusion_model.modules():
        # fp16 like the WebUI; ldm's GroupNorm32 needs fp32 weights on a CPU (CUDA autocast upcasts it)
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            m.half()
    before = host_snapshot(model)
    r = drag(LdmAdapter(model), disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    assert np.isfinite(np.asarray(r.image, dtype=np.float32)).all()
    assert_same_host(before, host_snapshot(model))


def test_gradient_checkpointing_models_work_and_keep_their_switches():
    model = build_tiny_model(use_checkpoint=True)
    before = host_snapshot(model)
    r = drag(LdmAdapter(model), disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    assert r.iterations == 3
    assert_same_host(before, host_snapshot(model))
    assert all(b.checkpoint for b in model.modules() if type(b).__name__ == "BasicTransformerBlock")


def test_mask_modes(adapter):
    user = np.zeros((64, 64), bool)
    user[8:40, 8:56] = True
    r = drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], mask=user, params=FAST.replace(mask_mode="user"))
    assert np.array_equal(r.mask, user) and r.mask_heat is None
    r = drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST.replace(mask_mode="none"))
    assert r.mask is None
    r = drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST.replace(mask_mode="auto"))
    assert r.mask.any() and not r.mask.all()
    # the auto mask is block-constant on the 8x8 latent grid (nearest upsampling)
    assert np.array_equal(r.mask, np.kron(r.mask[::8, ::8], np.ones((8, 8), bool)))


def test_arrived_points_stop_the_drag_early(adapter):
    # every handle on its target is refused up front now (engine.inputs.check_movement, issue 16)
    with pytest.raises(ValueError, match="every handle is already on its target"):
        drag(adapter, disc_image(), "x", [(20, 20)], [(20, 20)], params=FAST.replace(max_iterations=20))
    r = drag(adapter, disc_image(), "x", [(20, 20)], [(21, 20)], params=FAST.replace(max_iterations=20))
    assert r.arrived == [True] and r.iterations < 20 and r.final_handles == [(21.0, 20.0)]


def test_no_iterations_and_no_reference_is_plain_reconstruction(adapter):
    params = FAST.replace(max_iterations=0, reference_scale=0, reference_steps=0, reference_during_drag=False)
    a = drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=params)
    b = drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=params)
    assert a.iterations == 0 and a.final_handles == [(20.0, 20.0)]
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image)), "deterministic"


RGB = disc_image()


@pytest.mark.parametrize("kwargs,match", [
    (dict(handles=[(70, 10)], targets=[(10, 10)]), "off the 64x64 image"),
    (dict(handles=[(10, 10)], targets=[(10, -1)]), "off the 64x64 image"),
    (dict(handles=[(10, 10), (20, 20)], targets=[(30, 30)]), "every handle needs a target"),
    (dict(handles=[], targets=[]), "at least one"),
    (dict(handles=[(float("nan"), 1)], targets=[(1, 1)]), "finite"),
    (dict(handles=[(1,)], targets=[(1, 1)]), r"\(x, y\) pair"),
    (dict(image=Image.new("RGB", (8, 64))), "at least 16"),
    (dict(image=Image.new("RGB", (0, 0))), "at least 16"),
    (dict(image="path/to/file.png"), "PIL image"),
    (dict(mask=np.ones((32, 32), bool), params=FAST.replace(mask_mode="user")), "mask is 32x32"),
    (dict(params=FAST.replace(mask_mode="user")), "needs a mask"),
    (dict(mask=np.zeros((64, 64), bool), params=FAST.replace(mask_mode="user")), "mask is empty"),
    (dict(mask=np.full((64, 64), np.nan)), "NaN"),
    (dict(params={"lr": float("nan")}), "lr"),
    (dict(params={"bogus": 1}), "unknown parameter"),
    (dict(prompt=None), "prompt"),
    (dict(image=Image.new("RGB", (100, 64)), params=FAST.replace(resize_long_side=0)), "multiples of 64"),
])
def test_bad_input_is_a_clear_value_error_before_any_model_work(tiny_model, adapter, kwargs, match):
    args = dict(image=RGB, prompt="x", handles=[(20, 20)], targets=[(40, 30)], params=FAST)
    args.update(kwargs)
    before = host_snapshot(tiny_model)
    with pytest.raises(ValueError, match=match):
        drag(adapter, args.pop("image"), args.pop("prompt"), args.pop("handles"), args.pop("targets"), **args)
    assert_same_host(before, host_snapshot(tiny_model))


def test_adapter_refuses_unsupported_models(tiny_model):
    class VPred:
        parameterization = "v"
        model = tiny_model.model

    class Xl:
        is_sdxl = True

    with pytest.raises(ValueError, match="v-prediction"):
        LdmAdapter(VPred())
    with pytest.raises(ValueError, match="SDXL"):
        LdmAdapter(Xl())
    with pytest.raises(ValueError, match="no ldm UNet"):
        LdmAdapter(object())


def test_cache_reuses_the_inversion_for_new_points_and_gives_the_same_result(adapter):
    from easydrag_ext.engine.cache import InversionCache

    cache = InversionCache()
    plain = drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    first = drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST, cache=cache)
    events = []
    again = drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST, cache=cache,
                 progress=events.append)
    assert (cache.hits, cache.misses) == (1, 1)
    assert [e.step for e in events if e.phase == "inversion"] == [7]          # one event, no work
    for r in (first, again):
        assert np.array_equal(np.asarray(r.image), np.asarray(plain.image))
    drag(adapter, disc_image(), "x", [(30, 30)], [(10, 50)], params=FAST, cache=cache)   # new points: hit
    drag(adapter, disc_image(), "another prompt", [(20, 20)], [(40, 30)], params=FAST, cache=cache)
    drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST.replace(drag_step_index=6), cache=cache)
    assert (cache.hits, cache.misses) == (2, 3)
    assert len(cache) == 1
    cache.clear()
    assert len(cache) == 0
