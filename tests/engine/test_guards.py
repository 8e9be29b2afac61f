"""One drag per model at a time, memory refused up front, Interrupt inside a model call."""
import threading
import time

import pytest
import torch

from easydrag_ext import DragCancelled, DragParams, drag
from easydrag_ext.engine import memory
from easydrag_ext.engine.borrow import borrowed
from easydrag_ext.engine.inputs import DragRefused

from .helpers import assert_same_host, disc_image, host_snapshot

FAST = DragParams(resize_long_side=64, inversion_steps=10, drag_step_index=7, reference_steps=4,
                  max_iterations=3, motion_step=4, snap_radius=6)


def test_staggered_borrows_from_two_threads_leave_the_flags_as_they_were():
    # The race of the issue: B starts while A holds the model.  Without a per-model lock B records
    # A's requires_grad=False as the host's flags and restores them last: the host stays frozen.
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2))
    a_in, order = threading.Event(), []

    def a():
        with borrowed(net):
            order.append("a in")
            a_in.set()
            time.sleep(0.2)
            order.append("a out")

    def b():
        a_in.wait()
        with borrowed(net):       # entered while A holds the model, left after A gave it back
            order.append("b in")
            time.sleep(0.5)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert order == ["a in", "a out", "b in"], "the second drag waits for the first"
    assert all(p.requires_grad for p in net.parameters())


def test_two_drags_on_one_adapter_from_two_threads_both_finish_and_restore(tiny_model, adapter):
    before = host_snapshot(tiny_model)
    results, errors = [], []

    def run(delay):
        time.sleep(delay)
        try:
            results.append(drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(d,)) for d in (0, 0.05)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not errors and len(results) == 2
    assert_same_host(before, host_snapshot(tiny_model))


def test_a_working_size_the_machine_cannot_hold_is_refused_up_front(tiny_model, adapter, monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda device: 1024 ** 2)
    before = host_snapshot(tiny_model)
    calls = []
    handle = tiny_model.model.diffusion_model.register_forward_pre_hook(lambda *a: calls.append(1))
    try:
        with pytest.raises(DragRefused, match=r"working size 64x64 needs about .* GiB \(estimated\)"):
            drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    finally:
        handle.remove()
    assert not calls, "refused before any model work"
    assert_same_host(before, host_snapshot(tiny_model))


def test_an_8192_working_size_is_estimated_beyond_any_machine():
    assert memory.estimate_bytes((8192, 8192), 8, 320, 2) > 200 * memory.GIB   # no GPU has that
    assert memory.estimate_bytes((512, 512), 8, 320, 2) < 2 * memory.GIB


def test_interrupt_is_honoured_inside_a_unet_call(tiny_model, adapter):
    # Before, the flag was read only after a whole step: the first UNet call always ran to its end.
    before = host_snapshot(tiny_model)
    unet = tiny_model.model.diffusion_model
    finished_calls = []
    handle = unet.register_forward_hook(lambda *a: finished_calls.append(1))
    try:
        with pytest.raises(DragCancelled):
            drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST, should_stop=lambda: True)
    finally:
        handle.remove()
    assert not finished_calls, "stopped inside the first UNet call"
    assert_same_host(before, host_snapshot(tiny_model))


def test_a_drag_near_the_edge_with_a_long_motion_step_runs(adapter):
    # motion_step > snap_radius overshoots the target: past the right edge was an IndexError
    params = FAST.replace(motion_step=40, snap_radius=2)
    r = drag(adapter, disc_image(), "x", [(50, 50)], [(60, 60)], params=params)
    assert all(0 <= v <= 63 for p in r.final_handles for v in p)
