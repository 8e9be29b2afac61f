"""The low-VRAM drag: activations recomputed in backward, the same result bit for bit; OOM named."""
import numpy as np
import pytest
import torch

from easydrag_ext import DragParams, drag
from easydrag_ext.engine import unet_forward as uf
from easydrag_ext.engine.out_of_memory import DragOutOfMemory

from .helpers import disc_image

FAST = DragParams(resize_long_side=64, inversion_steps=10, drag_step_index=7, reference_steps=4,
                  max_iterations=4, motion_step=4, snap_radius=6)


@pytest.mark.parametrize("mask_mode", ["auto", "none"])
def test_low_vram_drag_gives_exactly_the_normal_result(adapter, mask_mode):
    # auto: the mask's first backward retains the graph and a second one runs over it
    params = FAST.replace(mask_mode=mask_mode)
    normal = drag(adapter, disc_image(), "a red disc", [(20, 20)], [(40, 30)], params=params)
    low = drag(adapter, disc_image(), "a red disc", [(20, 20)], [(40, 30)], params=params.replace(low_vram=True))
    assert normal.iterations == low.iterations > 0
    assert normal.final_handles == low.final_handles
    assert np.array_equal(np.asarray(normal.image), np.asarray(low.image))
    if mask_mode == "auto":
        assert np.array_equal(normal.mask, low.mask) and np.array_equal(normal.mask_heat, low.mask_heat)


def test_low_vram_recomputes_every_block_in_backward(adapter, monkeypatch):
    calls = []
    real = uf.checkpoint

    def counting(fn, *a, **kw):
        calls.append(kw.get("use_reentrant"))
        return real(fn, *a, **kw)

    monkeypatch.setattr(uf, "checkpoint", counting)
    drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST.replace(max_iterations=1))
    assert calls == []                                  # off: nothing recomputed
    r = drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST.replace(max_iterations=1,
                                                                                     low_vram=True))
    unet = adapter.unet
    per_forward = len(unet.input_blocks) + 1 + max(FAST.feature_blocks) + 1
    # only the drag's grad-enabled forwards (one per iteration + the tracking one that stops it)
    assert len(calls) in (per_forward * r.iterations, per_forward * (r.iterations + 1))
    assert set(calls) == {False}


def _oom_in_drag(monkeypatch, error):
    from easydrag_ext.engine import pipeline

    def boom(*a, **kw):
        raise error

    monkeypatch.setattr(pipeline, "optimize_latent", boom)


@pytest.mark.parametrize("error", [
    RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 5.79 GiB total capacity)"),
    getattr(torch.cuda, "OutOfMemoryError", RuntimeError)("CUDA out of memory. Tried to allocate 1 GiB"),
])
def test_out_of_memory_names_the_low_vram_option(adapter, monkeypatch, error):
    _oom_in_drag(monkeypatch, error)
    with pytest.raises(DragOutOfMemory) as e:
        drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    text = str(e.value)
    assert "Low VRAM drag" in text and "low_vram" in text and "CUDA" not in text
    assert isinstance(e.value, ValueError)           # every front end shows it as a message
    assert e.value.__suppress_context__              # the raw CUDA error is not shown...
    raw = e.value.__context__                        # ...and holds no frames (and so no tensors)
    assert raw is None or raw.__traceback__ is None


def test_out_of_memory_with_low_vram_on_names_the_size(adapter, monkeypatch):
    _oom_in_drag(monkeypatch, RuntimeError("CUDA out of memory."))
    with pytest.raises(DragOutOfMemory, match="Resize long side.*64.*--medvram"):
        drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST.replace(low_vram=True))


def test_other_runtime_errors_pass_through(adapter, monkeypatch):
    _oom_in_drag(monkeypatch, RuntimeError("mat1 and mat2 shapes cannot be multiplied"))
    with pytest.raises(RuntimeError, match="mat1") as e:
        drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    assert not isinstance(e.value, DragOutOfMemory)
