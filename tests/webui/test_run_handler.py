"""The tab's Run handler end to end on the tiny model, through the fake host's queue wrapper."""
import json

import pytest
from PIL import Image

from easydrag_ext.infotext import POINTS_KEY, parse_infotext

from .helpers import FAST, by_id, disc_image, handler_for, param_values, points_json

POINTS = [[20, 20, 36, 28]]


def _run(page):
    tab = by_id(page, "tab_easydrag")
    fn, dep = handler_for(page, by_id(tab, "easydrag_run"))
    return fn, dep


def _call(fn, image=None, points=POINTS, prompt="a red disc", params=FAST, mask=None, task="task(t1)"):
    image = disc_image() if image is None else image
    return fn(task, image, prompt, "blurry", points_json(points, image.size), mask, *param_values(params))


def test_run_is_queued_with_progress_js(page):
    _fn, dep = _run(page)
    assert dep["js"] == "submit_easydrag"
    assert len(dep["inputs"]) == 6 + len(param_values()) + 1       # + the source info


def test_run_produces_an_image_saves_it_with_infotext_and_reports_progress(webui, page):
    fn, _ = _run(page)
    state = webui.shared.state
    seen = []
    state.hook = lambda s: seen.append((s.job_no, s.sampling_step, s.sampling_steps, webui.call_queue.queue_lock.locked()))
    image, result, infotext, html = _call(fn)
    assert isinstance(image, Image.Image) and image.size == (64, 64)
    data = json.loads(result)
    assert data["size"] == [64, 64] and len(data["final_handles"]) == 1
    assert data["mask_heat"] is None or data["mask_heat"].startswith("data:image/png;base64,")
    parsed = parse_infotext(infotext)
    assert parsed["Prompt"] == "a red disc" and parsed["Negative prompt"] == "blurry"
    assert json.loads(parsed[POINTS_KEY]) == POINTS
    assert "Saved to" in html and "Time taken" in html           # the host added its stats
    # saved once, in the EasyDrag folder, with the infotext in the PNG
    (path, info), = webui.images.saved
    assert info == infotext and "easydrag-images" in path
    assert Image.open(path).info["parameters"] == infotext
    # progress went through shared.state under the queue lock, all three phases
    texts = state.history
    assert any(t.startswith("Inverting ") for t in texts)
    assert any(t.startswith("Dragging 1/") for t in texts)
    assert any(t.startswith("Denoising ") for t in texts)
    assert all(locked for *_, locked in seen)
    assert {job_no for job_no, *_ in seen} == {0}          # one job; its steps are the work done
    assert state.begun == state.ended == 1 and webui.call_queue.tasks == ["task(t1)"]


def test_preview_every_n_drag_iterations_shows_the_handles(webui, page):
    webui.shared.opts.easydrag_preview_every = 1
    fn, _ = _run(page)
    _call(fn)
    previews = webui.shared.state.images
    assert len(previews) == FAST.max_iterations
    assert all(p.size == (64, 64) for p in previews)
    assert previews[0].getpixel((36, 28)) != disc_image().getpixel((36, 28))   # target drawn


def test_interrupt_stops_within_one_step_and_saves_nothing(webui, page):
    fn, _ = _run(page)
    state = webui.shared.state

    def interrupt_at_first_drag_step(s):
        if s.textinfo.startswith("Dragging 1/"):
            s.interrupt()
    state.hook = interrupt_at_first_drag_step
    image, result, infotext, html = _call(fn)
    assert image is None and result == "" and "Interrupted" in html
    after = state.history[state.history.index(next(t for t in state.history if t.startswith("Dragging 1/"))) + 1:]
    assert not [t for t in after if t.startswith(("Dragging", "Denoising"))]
    assert webui.images.saved == []
    assert state.interrupted is False          # the host's wrapper reset it for the next job


@pytest.mark.parametrize("points,match", [
    ([[20, 20, 36]], "point 1 must be"),
    ([[20, 20, 99, 28]], "off the 64x64 image"),
    ([], "no points"),
])
def test_bad_points_are_a_clear_message_before_model_work(webui, page, points, match):
    fn, _ = _run(page)
    *_, html = _call(fn, points=points)
    assert match in html and webui.shared.state.history == []


def test_user_mask_mode_without_a_mask_is_refused(webui, page):
    fn, _ = _run(page)
    *_, html = _call(fn, params=FAST.replace(mask_mode="user"))
    assert "no mask" in html


def test_uploaded_mask_is_used_in_user_mode(webui, page):
    fn, _ = _run(page)
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (8, 8, 48, 40))
    image, *_ = _call(fn, params=FAST.replace(mask_mode="user"), mask=mask)
    assert isinstance(image, Image.Image)


@pytest.mark.parametrize("attrs,match", [
    ({"is_sdxl": True}, "SDXL"),
    ({"parameterization": "v"}, "v-prediction"),
])
def test_unsupported_models_are_refused_clearly(webui, page, tiny_model, monkeypatch, attrs, match):
    for k, v in attrs.items():
        monkeypatch.setattr(tiny_model, k, v, raising=False)
    fn, _ = _run(page)
    image, *_, html = _call(fn)
    assert image is None and match in html and "not supported yet" in html


def test_nans_from_the_model_give_the_no_half_vae_hint(webui, page, tiny_model, monkeypatch):
    def nan_conditioning(texts):
        raise webui.devices.NansException("A tensor with all NaNs was produced in VAE.")
    monkeypatch.setattr(tiny_model, "get_learned_conditioning", nan_conditioning)
    fn, _ = _run(page)
    *_, html = _call(fn)
    assert "--no-half-vae" in html


def test_save_button_saves_the_shown_result(webui, page):
    tab = by_id(page, "tab_easydrag")
    save, _ = handler_for(page, by_id(tab, "easydrag_save"))
    html = save(disc_image(), "a prompt\nSeed: 7, Size: 64x64, EasyDrag mask mode: auto")
    assert "Saved to" in html and webui.images.saved[0][1].startswith("a prompt")
    assert "nothing to save" in save(None, "")


def test_new_image_fills_prompts_from_its_infotext_and_applies_the_resize_policy(webui, page):
    tab = by_id(page, "tab_easydrag")
    changed, _ = handler_for(page, by_id(tab, "easydrag_image"), event="change")
    img = disc_image(size=128)
    img.info["parameters"] = ("a cat, sitting\nNegative prompt: ugly\nSteps: 20, Sampler: Euler, CFG scale: 6.5, "
                              "Seed: 3, Size: 128x128, Model hash: 0123456789, Clip skip: 2")
    prompt, negative, resize, source, cfg = changed(img, 512)
    assert prompt["value"] == "a cat, sitting" and negative["value"] == "ugly"
    assert resize["value"] == 0                       # multiple of 64, <= 768: native size
    assert json.loads(source["value"]) == {"cfg_scale": 6.5, "clip_skip": 2, "model_hash": "0123456789"}
    assert cfg["value"] == 6.5
    plain = disc_image(size=100)
    prompt, negative, resize, source, cfg = changed(plain, 0)
    assert "value" not in prompt and resize["value"] == 512
    assert "value" not in source and "value" not in cfg
    uploaded, _ = handler_for(page, by_id(tab, "easydrag_image"), event="upload")
    assert uploaded(plain)["value"] == ""             # an image without infotext forgets the last one's
    assert "value" not in uploaded(img)


def test_inversion_is_reused_for_the_same_image_and_dropped_on_model_load(webui, page):
    from easydrag_ext.webui import webui_host as services

    services.clear_caches()
    fn, _ = _run(page)
    _call(fn, points=[[20, 20, 36, 28]])
    _call(fn, points=[[20, 20, 30, 40]])
    assert len(services.inversion_cache) == 1 and services.inversion_cache.hits >= 1
    webui.script_callbacks.model_loaded_callback(webui.shared.sd_model)
    assert len(services.inversion_cache) == 0


def test_infotext_names_the_checkpoint_and_writes_no_host_seed(page, tiny_model, monkeypatch):
    import types

    # the host's CheckpointInfo of the loaded model (v1.10.1 writes name_for_extra as "Model")
    monkeypatch.setattr(tiny_model, "sd_checkpoint_info", types.SimpleNamespace(name_for_extra="v1-5-pruned"),
                        raising=False)
    fn, _ = _run(page)
    _image, _result, infotext, _html = _call(fn)
    parsed = parse_infotext(infotext)
    assert parsed["Model"] == "v1-5-pruned"
    assert "Seed" not in parsed, "Send to img2img would paste 'Seed: 0' into img2img's seed"
