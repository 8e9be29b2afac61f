"""The same tab as a plain gradio 3.41 app on a fixed model, driven through gradio's own
pre/post-processing (what the browser's requests go through)."""
import asyncio
import concurrent.futures
import json
import socket

import httpx
from PIL import Image

from easydrag_ext.engine.events import PHASE_VERBS
from easydrag_ext.infotext import POINTS_KEY, parse_infotext
from easydrag_ext.ui.imagedata import encode_png
from easydrag_ext.ui.standalone import build_app, launch

from .helpers import FAST, disc_image, param_values, points_json


def _fn_index(app, component, event="click"):
    for i, dep in enumerate(app.dependencies):
        if component._id in dep["targets"] and app.fns[i].fn is not None:
            return i
    raise AssertionError(component.elem_id)


def _process(app, fn_index, inputs):
    # its own thread: the browser tests' Playwright (sync API) keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, app.process_api(fn_index=fn_index, inputs=inputs, state={})).result()["data"]


def test_run_through_gradio_processing_saves_png_with_infotext(adapter, tmp_path):
    app, tab, services = build_app(adapter, output_dir=str(tmp_path))
    image = encode_png(disc_image(), data_url=True)
    out = _process(app, _fn_index(app, tab.run),
                   ["", image, "a red disc", "", points_json([[20, 20, 36, 28]]), None] + param_values(FAST)
                   + [""])                                    # the source info: no infotext
    result_image, result, infotext, html = out
    assert str(result_image).startswith("data:image/png;base64,")
    assert json.loads(result)["size"] == [64, 64]
    assert json.loads(parse_infotext(infotext)[POINTS_KEY]) == [[20, 20, 36, 28]]
    saved = list(tmp_path.glob("*.png"))
    assert len(saved) == 1 and Image.open(saved[0]).info["parameters"] == infotext
    assert "Saved to" in html


def test_interrupt_and_errors_in_the_standalone_app(adapter, tmp_path, monkeypatch):
    app, tab, services = build_app(adapter, output_dir=str(tmp_path))
    run = app.fns[_fn_index(app, tab.run)].fn
    monkeypatch.setattr(services, "_progress", lambda e: services.interrupt() if e.phase == "drag" else None)
    *_, html = run("", disc_image(), "p", "", points_json([[20, 20, 36, 28]]), None, *param_values(FAST))
    assert "Interrupted" in html and not list(tmp_path.glob("*.png"))
    *_, html = run("", None, "p", "", "[[1,2,3,4]]", None, *param_values(FAST))
    assert "no image" in html


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_launch_serves_the_page(adapter):
    port = _free_port()
    app = launch(adapter, host="127.0.0.1", port=port, prevent_thread_lock=True)
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert page.status_code == 200
        config = httpx.get(f"http://127.0.0.1:{port}/config", timeout=30).json()
        ids = {c["props"].get("elem_id") for c in config["components"]}
        assert {"easydrag_canvas", "easydrag_image", "easydrag_points_json", "easydrag_result"} <= ids
        # the page polls this for phase, step and handles during a run
        assert httpx.get(f"http://127.0.0.1:{port}/easydrag/v1/live", timeout=30).json() == {"running": False}
    finally:
        app.close()


def test_png_infotext_survives_gradio_and_fills_the_prompts(adapter):
    import base64
    import io

    from PIL.PngImagePlugin import PngInfo

    app, tab, _ = build_app(adapter)
    info = PngInfo()
    info.add_text("parameters", "a cat on a mat\nNegative prompt: blurry\nSteps: 20, Seed: 1, Size: 64x64")
    buf = io.BytesIO()
    disc_image().save(buf, format="PNG", pnginfo=info)
    url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    index = next(i for i, d in enumerate(app.dependencies)
                 if tab.image._id in d["targets"] and d.get("trigger") == "change")
    prompt, negative, resize, source, _cfg = _process(app, index, [url, 512])
    assert prompt["value"] == "a cat on a mat" and negative["value"] == "blurry"
    assert json.loads(source["value"]) == {"clip_skip": 1}    # a generation infotext: "auto" -> prompt_cfg
    # the standalone app serves one fixed model and keeps its working size (policy "keep")
    assert resize["value"] == 512


def test_canvas_scripts_and_css_are_put_on_the_standalone_page(adapter):
    from easydrag_ext.ui import assets

    app, _tab, _ = build_app(adapter)
    scripts = assets.script_paths()
    assert scripts and all(p.name.startswith("easydrag_") for p in scripts)
    assert "easydrag_webui.js" not in {p.name for p in scripts}
    loads = [d["js"] for d in app.dependencies if d.get("trigger") == "load" and d.get("js")]
    assert len(loads) == 1
    for p in scripts:   # every script's text is in the loader
        assert json.dumps(p.read_text(encoding="utf8"))[1:200] in loads[0]
    assert assets.css() and assets.css() in app.css


def test_dragging_the_same_image_again_reuses_the_inversion(adapter, tmp_path):
    app, tab, services = build_app(adapter, output_dir=str(tmp_path), save_automatically=False)
    run = app.fns[_fn_index(app, tab.run)].fn
    phases = []
    services._progress = lambda e: phases.append((e.phase, e.step))
    for target in ([20, 20, 36, 28], [20, 20, 30, 40]):
        image, *_ = run("", disc_image(), "p", "", points_json([target]), None, *param_values(FAST))
        assert image is not None
    assert services.cache.hits == 1 and services.cache.misses == 1


def test_live_status_reports_phase_step_and_handles_while_running(adapter, tmp_path):
    app, tab, services = build_app(adapter, output_dir=str(tmp_path), save_automatically=False)
    run = app.fns[_fn_index(app, tab.run)].fn
    seen = []
    report = services._progress

    def spy(event):
        report(event)
        seen.append(services.live_status())
    services._progress = spy
    run("", disc_image(), "p", "", points_json([[20, 20, 36, 28]]), None, *param_values(FAST))
    drags = [s for s in seen if s["phase"] == "Dragging"]
    assert drags and all(s["running"] for s in seen)
    assert {s["phase"] for s in seen} == set(PHASE_VERBS.values())
    assert drags[0]["step"] == 0 and drags[1]["step"] == 1 and drags[0]["steps"] == FAST.max_iterations
    assert len(drags[-1]["final_handles"]) == 1 and seen[0]["size"] == [64, 64]
    assert services.live_status()["running"] is False


def test_run_clears_the_last_message_outside_the_queue(adapter):
    from easydrag_ext.ui.tab import clear_message

    app, tab, _ = build_app(adapter)
    deps = [(d, app.fns[i].fn) for i, d in enumerate(app.dependencies) if tab.run._id in d["targets"]]
    assert len(deps) == 2
    (clear_dep, _fn), = [(d, fn) for d, fn in deps if fn is clear_message]
    assert clear_dep["queue"] is False and clear_dep["outputs"] == [tab.html_info._id]


def test_the_app_names_its_model_and_offers_shapes_examples_with_their_pairs(adapter):
    from easydrag_ext.ui.standalone import example_outputs, shapes_examples

    app, _tab, _ = build_app(adapter, model_name="ShapesDrag model (32x32 scenes, bundled)")
    config = app.get_config_file()
    htmls = [c["props"].get("value") or "" for c in config["components"] if c["props"].get("elem_id") == "easydrag_about"]
    assert htmls and "ShapesDrag model (32x32 scenes, bundled)" in htmls[0] and "WebUI" in htmls[0]
    sets = [c for c in config["components"] if c["props"].get("elem_id") == "easydrag_examples_set"]
    assert sets and len(sets[0]["props"]["samples"]) == 4
    examples = shapes_examples()
    image, prompt, points = example_outputs(examples, 1)
    payload = json.loads(points)
    assert image.size == (32, 32) and prompt == examples[1].prompt
    assert payload["size"] == [32, 32] and len(payload["points"]) == 1 and len(payload["points"][0]) == 4
    # another model: no ShapesDrag examples
    app, _tab, _ = build_app(adapter, model_name="tiny test model")
    assert not [c for c in app.get_config_file()["components"]
                if c["props"].get("elem_id") == "easydrag_examples_set"]


def test_domain_notice_for_a_photo_or_a_huge_image_on_the_shapes_model():
    import numpy as np

    from easydrag_ext.bundled.tasks import make_task
    from easydrag_ext.ui.standalone import domain_notice

    assert domain_notice(make_task(0).image(), 32, synthetic=True) == ""
    photo = Image.fromarray(np.random.default_rng(0).integers(0, 256, (512, 512, 3), dtype=np.uint8))
    note = domain_notice(photo, 32, synthetic=True)
    assert "512×512" in note and "photo" in note and "WebUI" in note
    flat_big = Image.new("RGB", (400, 300), (90, 90, 90))
    note = domain_notice(flat_big, 32, synthetic=True)
    assert "400×300" in note and "photo" not in note
    assert domain_notice(photo, 512, synthetic=False) == "", "an SD-sized model takes a 512 px photo as it is"
    assert domain_notice(None, 32, synthetic=True) == ""


def test_uploads_keep_their_mode_so_the_one_conversion_rule_applies(adapter, tmp_path, monkeypatch):
    # gradio's default image_mode="RGB" turned transparency black and a 16-bit PNG white
    import numpy as np

    from easydrag_ext import DragCancelled

    app, tab, services = build_app(adapter, output_dir=str(tmp_path), save_automatically=False)
    seen = []

    def capture(request):
        seen.append(request.image)
        raise DragCancelled("seen enough")
    monkeypatch.setattr(services, "run_drag", capture)
    rgba = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    rgba.paste((200, 0, 0, 255), (0, 0, 32, 64))
    deep = Image.fromarray(np.full((64, 64), 120 * 257, np.uint16))
    for upload, where, expected in ((rgba, (48, 10), (255, 255, 255)), (rgba, (10, 10), (200, 0, 0)),
                                    (deep, (10, 10), (120, 120, 120))):
        _process(app, _fn_index(app, tab.run), ["", encode_png(upload, data_url=True), "p", "",
                                                points_json([[20, 20, 36, 28]]), None] + param_values(FAST)
                 + [""])                                      # the source info: no infotext
        assert seen[-1].mode == "RGB" and seen[-1].getpixel(where) == expected
