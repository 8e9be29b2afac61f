"""The EasyDrag API on the host's FastAPI app: success, queue/state, interrupt, auth, 422 cases."""
import base64
import io

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from easydrag_ext.infotext import parse_infotext

from .helpers import FAST, b64, disc_image




def body(**over):
    d = {"image": b64(disc_image()), "prompt": "a red disc", "points": [[20, 20, 36, 28]],
         "params": {k: v for k, v in FAST.to_dict().items() if k != "feature_blocks"}}
    d.update(over)
    return d


def test_version_and_schema(client):
    v = client.get("/easydrag/v1/version").json()
    assert v["version"] and v["forge"] is False and v["gradio"] == "3.41.2"
    s = client.get("/easydrag/v1/schema").json()
    names = [p["name"] for p in s["params"]]
    assert "inversion_steps" in names and "mask_mode" in names
    assert s["limits"]["max_image_side"] == 4096


def test_drag_returns_an_image_and_saves_with_infotext_under_the_queue_lock(webui, client):
    locked = []
    webui.shared.state.hook = lambda s: locked.append(webui.call_queue.queue_lock.locked())
    r = client.post("/easydrag/v1/drag", json=body(save=True, include_mask_heat=True))
    assert r.status_code == 200, r.text
    out = r.json()
    img = Image.open(io.BytesIO(base64.b64decode(out["image"])))
    assert img.size == (64, 64)
    assert len(out["final_points"]) == 1 and out["iterations"] >= 1 and len(out["arrived"]) == 1
    assert parse_infotext(out["info"])["Prompt"] == "a red disc"
    assert out["saved_path"] and Image.open(out["saved_path"]).info["parameters"] == out["info"]
    assert locked and all(locked)
    assert webui.shared.state.begun == webui.shared.state.ended == 1


def test_save_false_saves_nothing(webui, client):
    assert client.post("/easydrag/v1/drag", json=body(save=False)).status_code == 200
    assert webui.images.saved == []


def test_interrupt_via_state_gives_409(webui, client):
    def interrupt(s):
        if s.textinfo.startswith("Dragging 1/"):
            s.interrupt()
    webui.shared.state.hook = interrupt
    r = client.post("/easydrag/v1/drag", json=body())
    assert r.status_code == 409 and "interrupted" in r.json()["detail"]
    assert webui.shared.state.ended == 1


def big_png():
    return b64(Image.new("RGB", (4097, 16)))


@pytest.mark.parametrize("over,match", [
    ({"image": "not base64!!"}, "not valid base64"),
    ({"image": base64.b64encode(b"hello world, not an image").decode()}, "not an image PIL can read"),
    ({"image": "/etc/passwd"}, "file paths and URLs are not accepted"),
    ({"image": "C:\\Users\\me\\cat.png"}, "file paths and URLs are not accepted"),
    ({"image": "file:///etc/passwd"}, "not accepted"),
    ({"image": "https://example.com/cat.png"}, "not accepted"),
    ({"image": "cat.png"}, "not accepted"),
    ({"image": "data:text/plain;base64,aGVsbG8="}, "not a PNG, JPEG or WebP"),
    ({"image": big_png()}, "sides above 4096 pixels are not supported"),
    ({"image": b64(Image.new("RGB", (64, 64)), "GIF")}, "format GIF is not accepted"),
    # a bare base64 JPEG starts "/9j/", like an absolute path: it is decoded (the points fail)
    ({"image": b64(Image.new("RGB", (64, 64)), "JPEG"), "points": [[20, 20, 70, 28]]}, "off the 64x64 image"),
    ({"points": [[20, 20, 36]]}, "point 1 must be [hx, hy, tx, ty]"),
    ({"points": [20, 20, 36, 28]}, "flat list"),
    ({"points": [[20, 20, 70, 28]]}, "off the 64x64 image"),
    ({"points": [["a", 20, 30, 28]]}, "4 finite numbers"),
    ({"points": []}, "no points"),
    ({"params": {"warp": 3}}, "unknown parameter(s): warp"),
    ({"params": {"lr": "fast"}}, "lr must be a number"),
    ({"params": {"mask_mode": "user"}}, "no mask"),
    ({"mask": b64(Image.new("L", (32, 32), 255)), "params": {"mask_mode": "user"}}, "mask image is 32x32"),
    ({"mask": "/tmp/mask.png"}, "mask: file paths"),
])
def test_bad_input_is_422_with_a_precise_message(webui, client, over, match):
    r = client.post("/easydrag/v1/drag", json=body(**over))
    assert r.status_code == 422, r.text
    assert match in r.json()["detail"]
    assert webui.shared.state.begun == 0        # refused before taking the queue


def test_malformed_json_and_missing_fields_are_422(client):
    r = client.post("/easydrag/v1/drag", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = client.post("/easydrag/v1/drag", json={"prompt": "x"})
    assert r.status_code == 422
    missing = {e["loc"][-1] for e in r.json()["detail"]}
    assert missing == {"image", "points"}


def test_unsupported_model_is_409(client, tiny_model, monkeypatch):
    monkeypatch.setattr(tiny_model, "is_sdxl", True, raising=False)
    r = client.post("/easydrag/v1/drag", json=body())
    assert r.status_code == 409 and "SDXL" in r.json()["detail"]


def test_api_auth_is_honoured(webui):
    webui.shared.cmd_opts.api_auth = "alice:s3cret,bob:pw"
    app = FastAPI()
    webui.script_callbacks.app_started_callback(None, app)
    c = TestClient(app)
    assert c.get("/easydrag/v1/version").status_code == 401
    assert c.get("/easydrag/v1/version", auth=("alice", "wrong")).status_code == 401
    assert c.get("/easydrag/v1/version", auth=("alice", "s3cret")).status_code == 200


def test_app_started_again_replaces_routes_instead_of_duplicating(webui):
    app = FastAPI()
    webui.script_callbacks.app_started_callback(None, app)
    webui.script_callbacks.app_started_callback(None, app)
    paths = [r.path for r in app.router.routes if r.path.startswith("/easydrag/")]
    assert sorted(paths) == ["/easydrag/v1/drag", "/easydrag/v1/live", "/easydrag/v1/schema", "/easydrag/v1/version"]


def test_live_handles_are_served_during_a_run_without_api_auth(webui):
    from easydrag_ext.webui import webui_host as services

    webui.shared.cmd_opts.api_auth = "alice:s3cret"
    app = FastAPI()
    webui.script_callbacks.app_started_callback(None, app)
    c = TestClient(app)
    frames = []

    def poll(s):
        if s.textinfo.startswith("Dragging 1/"):
            frames.append(c.get("/easydrag/v1/live").json())
    webui.shared.state.hook = poll
    assert c.post("/easydrag/v1/drag", json=body(), auth=("alice", "s3cret")).status_code == 200
    assert frames and frames[0]["running"] is True and frames[0]["step"] == 1
    assert len(frames[0]["final_handles"]) == 1 and frames[0]["size"] == [64, 64]
    assert c.get("/easydrag/v1/live").json()["running"] is False
    assert services.live_status["running"] is False
