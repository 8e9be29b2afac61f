"""The front door, host-free: one request, run_and_finish's order, its error kinds, atomic saves."""
import os
import threading

import numpy as np
import pytest
from PIL import Image

from easydrag_ext.engine.events import DragCancelled, DragResult
from easydrag_ext.engine.inputs import DragRefused
from easydrag_ext.front import (BAD_INPUT, INTERRUPTED, NAN, REFUSED, SAVE_FAILED, DragError, Host,
                                request_from_api, run_and_finish)
from easydrag_ext.front.saving import atomic_save, check_output, save_numbered
from easydrag_ext.infotext import parse_infotext
from easydrag_ext.params import DragParams


def _image():
    return Image.new("RGB", (32, 32), (120, 120, 120))


def _request(**kw):
    args = dict(image=_image(), prompt="a grey square", negative_prompt="blurry", points=[[4, 4, 10, 10]],
                mask_image=None, params=DragParams())
    args.update(kw)
    return request_from_api(**args)


class FakeHost(Host):
    def __init__(self, raises=None, save_raises=None, handles=((10.0, 10.0),)):
        self.calls, self.raises, self.save_raises, self.handles = [], raises, save_raises, handles

    def check_save(self):
        self.calls.append("check_save")

    def run_drag(self, request):
        self.calls.append("run_drag")
        if self.raises:
            raise self.raises
        return DragResult(request.image, list(self.handles), 3, [True], None, None)

    def save(self, image, infotext, seed):
        self.calls.append("save")
        if self.save_raises:
            raise self.save_raises
        return "/out/1.png"

    def save_automatically(self):
        return True


def test_finish_checks_the_output_first_then_runs_builds_the_infotext_and_saves():
    host = FakeHost()
    done = run_and_finish(host, _request())
    assert host.calls == ["check_save", "run_drag", "save"]
    parsed = parse_infotext(done.infotext)
    assert parsed["Prompt"] == "a grey square" and parsed["Negative prompt"] == "blurry"
    assert done.saved_path == "/out/1.png" and done.notes[-1] == "Saved to /out/1.png"


@pytest.mark.parametrize("exc, kind", [
    (DragCancelled("stopped"), INTERRUPTED),
    (DragRefused("SDXL is not supported"), REFUSED),
    (ValueError("handle 1 at (99, 0) is off"), BAD_INPUT),
    (FloatingPointError("the result contains NaN values"), NAN),
    (type("NansException", (Exception,), {})("A tensor with all NaNs"), NAN),
])
def test_every_failure_is_one_error_type_with_a_kind(exc, kind):
    with pytest.raises(DragError) as info:
        run_and_finish(FakeHost(raises=exc), _request())
    assert info.value.kind == kind


def test_nan_handles_are_the_nan_kind():
    with pytest.raises(DragError) as info:
        run_and_finish(FakeHost(handles=((float("nan"), 1.0),)), _request())
    assert info.value.kind == NAN and "--no-half-vae" in info.value.message


def test_unexpected_errors_are_not_hidden():
    with pytest.raises(KeyError):
        run_and_finish(FakeHost(raises=KeyError("bug")), _request())


def test_a_failed_save_still_carries_the_result():
    with pytest.raises(DragError) as info:
        run_and_finish(FakeHost(save_raises=OSError(28, "No space left on device")), _request())
    e = info.value
    assert e.kind == SAVE_FAILED and "No space left" in e.message
    assert e.finished.saved_path is None and e.finished.result.image.size == (32, 32)
    assert parse_infotext(e.finished.infotext)["Prompt"] == "a grey square"


def test_a_mask_given_with_mode_auto_is_reported_as_not_used():
    mask = Image.new("L", (32, 32), 0)
    mask.paste(255, (0, 0, 8, 8))
    request = _request(mask_image=mask)
    assert request.mask is None
    done = run_and_finish(FakeHost(), request)
    assert any("mask mode is 'auto', so it was not used" in n for n in done.notes)


@pytest.mark.parametrize("name, match", [("out.psd", "cannot write"), ("out.xbm", "cannot write"),
                                         ("out", "image type")])
def test_formats_pil_cannot_write_rgb_in_are_refused_up_front(tmp_path, name, match):
    with pytest.raises(ValueError, match=match):
        check_output(tmp_path / name)


def test_a_device_or_a_folder_is_not_an_output_file(tmp_path):
    with pytest.raises(ValueError, match="not a regular file"):
        check_output("/dev/full")
    with pytest.raises(ValueError, match="not a regular file"):
        check_output(tmp_path)


def test_a_failed_write_leaves_no_truncated_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    path = tmp_path / "out.png"
    atomic_save(_image(), path, "first")
    real_save = Image.Image.save

    def full_disk(self, fp, *a, **kw):
        real_save(self, fp, *a, **kw)
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(Image.Image, "save", full_disk)
    with pytest.raises(OSError):
        atomic_save(Image.new("RGB", (32, 32), (0, 0, 0)), path, "second", "PNG")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["out.png"]
    assert Image.open(path).info["parameters"] == "first"


def test_concurrent_numbered_saves_never_overwrite_each_other(tmp_path):
    start, paths = threading.Barrier(8), []

    def save(i):
        start.wait()
        paths.append(save_numbered(tmp_path, Image.new("RGB", (16, 16), (i * 30, 0, 0)), f"run {i}", 7))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(set(paths)) == 8 and len(os.listdir(tmp_path)) == 8
    assert sorted(Image.open(p).info["parameters"] for p in paths) == [f"run {i}" for i in range(8)]
    assert sorted(int(np.asarray(Image.open(p))[0, 0, 0]) for p in paths) == [i * 30 for i in range(8)]


def test_the_hosts_notes_infotext_pairs_and_the_params_as_run_come_from_the_result():
    class NetworksHost(FakeHost):
        def run_drag(self, request):
            result = super().run_drag(request)
            result.params = request.params.replace(mask_mode="none")   # the params as run
            result.notes, result.infotext_extra = ["LoRA applied"], {"Clip skip": "2"}
            return result

    done = run_and_finish(NetworksHost(), _request(), save=False)
    parsed = parse_infotext(done.infotext)
    assert parsed["Clip skip"] == "2" and parsed["EasyDrag mask mode"] == "none"
    assert done.notes[0] == "LoRA applied" and done.notes[1].startswith("3 drag iterations")
