"""A bad upload into the tab's images gets the one decoder's message next to Run, in the standalone
app and in the WebUI tab, through gradio's own processing (what the browser's requests go through);
the API and the CLI say the same for the same bytes.  Before: gradio's Image preprocessing raised,
and the page showed a red "Error" badge with no text."""
import asyncio
import base64
import concurrent.futures
import html
import io
import re
import struct
import zlib

import pytest
from PIL import Image

from easydrag_ext import cli
from easydrag_ext.ui.standalone import build_app

from .helpers import FAST, by_id, disc_image, param_values, points_json


def _png_header_only(w, h):
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def _truncated_png():
    buf = io.BytesIO()
    disc_image().save(buf, format="PNG")
    return buf.getvalue()[:200]


BAD = {     # name -> (file bytes, the MIME the browser's FileReader gives them, words of the message)
    "text file": (b"just some notes, not a picture", "text/plain", "image is not an image PIL can read"),
    "truncated png": (_truncated_png(), "image/png", "image is truncated or corrupt"),
    "zero bytes": (b"", "image/png", "image is an empty file (0 bytes)"),
    "decompression bomb": (_png_header_only(14000, 14000), "image/png", "more pixels than PIL will open"),
    "too wide": (_png_header_only(5000, 64), "image/png", "sides above 4096 pixels are not supported"),
}


def _url(raw, mime):
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def _process(app, fn_index, inputs):
    # its own thread: the browser tests' Playwright (sync API) keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, app.process_api(fn_index=fn_index, inputs=inputs, state={})).result()["data"]


def _listeners(app, component, trigger):
    return [i for i, d in enumerate(app.dependencies)
            if component._id in d["targets"] and d.get("trigger") == trigger and app.fns[i].fn is not None]


def _message(out_html):
    found = re.findall(r"<div class='error easydrag-error'>(.*?)</div>", out_html)
    assert len(found) == 1, out_html          # one message, not one per listener
    return html.unescape(found[0])


def _run_inputs(image_url, mask_url=None, mode="auto", source=True):
    return (["", image_url, "p", "", points_json([[20, 20, 36, 28]]), mask_url]
            + param_values(FAST.replace(mask_mode=mode)) + ([""] if source else []))


def _tab_says(app, tab, image_url, mask_url=None, mode="auto"):
    """Every listener of the image takes the upload without raising; Run and upload give the message."""
    for trigger in ("change", "upload"):
        for i in _listeners(app, tab.image, trigger):
            inputs = [image_url] + ([512] if len(app.dependencies[i]["inputs"]) == 2 else [])
            _process(app, i, inputs)
    (run,) = [i for i in _listeners(app, tab.run, "click") if app.dependencies[i]["queue"] is not False]
    *_, out = _process(app, run, _run_inputs(image_url, mask_url, mode))
    return _message(out)


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_upload_in_the_standalone_app_is_the_decoders_message_as_in_the_api_and_cli(
        adapter, webui, client, tmp_path, capsys, case):
    raw, mime, words = BAD[case]
    app, tab, _ = build_app(adapter, output_dir=str(tmp_path))
    tab_message = _tab_says(app, tab, _url(raw, mime))
    uploads = [_process(app, i, [_url(raw, mime)]) for i in _listeners(app, tab.image, "upload")]
    assert any(isinstance(o, list) and o and "easydrag-error" in str(o[0]) for o in uploads), uploads

    r = client.post("/easydrag/v1/drag", json={"image": _url(raw, "image/png"), "prompt": "p",
                                               "points": [[20, 20, 36, 28]]})
    (tmp_path / "in.png").write_bytes(raw)
    code = cli.main(["drag", "--image", str(tmp_path / "in.png"), "--out", str(tmp_path / "o.png"),
                     "--points", "20,20,36,28", "--max-iterations", "2"])
    cli_message = capsys.readouterr().err.strip().removeprefix("error: ")

    assert words in tab_message
    assert r.status_code == 422 and code == 2
    assert tab_message == r.json()["detail"] == cli_message
    assert not list(tmp_path.glob("*.png")) or [p.name for p in tmp_path.glob("*.png")] == ["in.png"]


def test_a_bad_mask_upload_is_the_decoders_message_too(adapter, tmp_path):
    app, tab, _ = build_app(adapter, output_dir=str(tmp_path))
    good = _url(_png(disc_image()), "image/png")
    raw, mime, _ = BAD["truncated png"]
    assert _tab_says(app, tab, good, _url(raw, mime), mode="user") == "mask is truncated or corrupt"


def _png(img):
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_the_webui_tab_shows_the_same_message_and_still_restores_good_uploads(webui, page):
    tab = by_id(page, "tab_easydrag")
    image = by_id(tab, "easydrag_image")
    run = by_id(tab, "easydrag_run")
    raw, mime, words = BAD["truncated png"]
    (index,) = [i for i in _listeners(page, run, "click") if page.dependencies[i]["queue"] is not False]
    *_, out = _process(page, index, ["task(x)", _url(raw, mime), "p", "", points_json([[20, 20, 36, 28]]),
                                     None] + param_values(FAST) + [""])
    assert _message(out) == "image is truncated or corrupt"

    # a good upload still fills the prompts and the source info from its infotext
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("parameters", "a cat on a mat\nNegative prompt: blurry\nSteps: 20, Seed: 1, Size: 64x64")
    buf = io.BytesIO()
    disc_image().save(buf, format="PNG", pnginfo=info)
    url = _url(buf.getvalue(), "image/png")
    changes = _listeners(page, image, "change")
    outs = [_process(page, i, [url] + ([512] if len(page.dependencies[i]["inputs"]) == 2 else []))
            for i in changes]
    prompt, negative, _resize, source, _cfg = next(o for o in outs if len(o) == 5)
    assert prompt["value"] == "a cat on a mat" and negative["value"] == "blurry"
    assert '"clip_skip": 1' in source["value"]
    uploads = [_process(page, i, [url]) for i in _listeners(page, image, "upload")]
    assert [""] in uploads                  # a readable upload clears the last message


def test_the_tab_images_stay_gradios_image_on_the_page(adapter):
    app, tab, _ = build_app(adapter)
    types = {c["props"].get("elem_id"): c["type"] for c in app.get_config_file()["components"]}
    assert types["easydrag_image"] == types["easydrag_mask_image"] == "image"


def test_an_upload_keeps_its_orientation_rule_and_its_infotext():
    # gradio's preprocessing applied the EXIF orientation; the canvas shows the picture upright
    from easydrag_ext.ui.imagedata import decode_upload

    img = Image.new("RGB", (40, 20), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6                       # rotate 90° clockwise when shown
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    out = decode_upload(_url(buf.getvalue(), "image/jpeg"))
    assert out.size == (20, 40)
    assert decode_upload(None) is None and decode_upload("") is None
    # one rule: the API's base64 and the CLI's file bytes are turned upright the same way
    from easydrag_ext.ui.imagedata import decode_bytes, decode_image

    assert decode_image(base64.b64encode(buf.getvalue()).decode()).size == (20, 40)
    assert decode_bytes(buf.getvalue()).size == (20, 40)


def test_an_upload_naming_a_server_path_is_never_opened(tmp_path):
    # a gradio 4 FileData (an object, after gradio's cache check) is read; a JSON dict is not
    import types

    from easydrag_ext.ui.imagedata import UnreadableUpload, decode_upload

    path = tmp_path / "secret.png"
    path.write_bytes(_png(disc_image()))
    assert isinstance(decode_upload({"path": str(path)}), UnreadableUpload)
    assert decode_upload(types.SimpleNamespace(path=str(path), url=None)).size == (64, 64)
    assert decode_upload({"name": "x.png", "data": _url(_png(disc_image()), "image/png")}).size == (64, 64)
