"""Through the glue (Run handler and API), the host's model comes back exactly as it was,
also with the WebUI's --medvram/--lowvram hooks installed on it."""
import pytest
import torch

from easydrag_ext.testing.tiny_ldm import build_tiny_model
from tests.engine.helpers import assert_same_host, host_snapshot, plain_unet_call

from .helpers import FAST, by_id, disc_image, handler_for, param_values, points_json


def _run_through_tab(page):
    fn, _ = handler_for(page, by_id(by_id(page, "tab_easydrag"), "easydrag_run"))
    return fn("task(x)", disc_image(), "a red disc", "", points_json([[20, 20, 36, 28]]), None,
              *param_values(FAST))


def test_run_handler_leaves_the_model_bit_identical(webui, page, tiny_model):
    before, out_before = host_snapshot(tiny_model), plain_unet_call(tiny_model)
    image, *_ = _run_through_tab(page)
    assert image is not None
    assert_same_host(before, host_snapshot(tiny_model))
    assert torch.equal(out_before, plain_unet_call(tiny_model))


@pytest.mark.parametrize("flag", ["medvram", "lowvram"])
def test_low_vram_hooks_are_set_aside_for_the_drag_and_restored(webui, page, monkeypatch, flag):
    model = build_tiny_model(seed=1)
    monkeypatch.setattr(webui.shared.cmd_opts, flag, True)
    webui.lowvram.apply(model)
    webui.shared.sd_model = model
    assert model.lowvram
    out_before = plain_unet_call(model)
    before = host_snapshot(model)
    webui.lowvram.moves.clear()

    moved_during_drag = []
    webui.shared.state.hook = lambda s: moved_during_drag.extend(
        m for m in webui.lowvram.moves if m is model.model or m in list(model.model.modules()))
    image, *_ , html = _run_through_tab(page)
    assert image is not None, html
    # the UNet's own hooks never fired during the drag (the glue placed the UNet itself)
    assert moved_during_drag == []
    assert_same_host(before, host_snapshot(model))          # hooks back, same order, same devices
    assert webui.lowvram.module_in_gpu is None
    webui.lowvram.moves.clear()
    assert torch.equal(out_before, plain_unet_call(model))
    # and the hooks work again afterwards, as txt2img needs them
    assert webui.lowvram.moves, "low-VRAM hooks did not fire after the drag"


def test_api_handler_leaves_the_model_bit_identical(webui, tiny_model):
    import base64
    import io

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI()
    webui.script_callbacks.app_started_callback(None, app)
    buf = io.BytesIO()
    disc_image().save(buf, format="PNG")
    before, out_before = host_snapshot(tiny_model), plain_unet_call(tiny_model)
    r = TestClient(app).post("/easydrag/v1/drag", json={
        "image": base64.b64encode(buf.getvalue()).decode(), "points": [[20, 20, 36, 28]],
        "params": {k: v for k, v in FAST.to_dict().items()}})
    assert r.status_code == 200, r.text
    assert_same_host(before, host_snapshot(tiny_model))
    assert torch.equal(out_before, plain_unet_call(tiny_model))


def test_half_precision_unet_works_through_the_glue_and_stays_half(webui, page):
    model = build_tiny_model(seed=2)
    for m in model.model.diffusion_model.modules():
        # fp16 like the WebUI; ldm's GroupNorm32 needs fp32 weights on a CPU (CUDA autocast upcasts it)
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            m.half()
    webui.shared.sd_model = model
    before = host_snapshot(model)
    image, *_, html = _run_through_tab(page)
    assert image is not None, html
    assert_same_host(before, host_snapshot(model))
