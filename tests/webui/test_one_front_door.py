"""Tab, API and CLI share one request and one finish path: same message, nothing lost on save failure."""
import base64
import html
import io
import re

import pytest
from PIL import Image

from easydrag_ext import cli

from .helpers import FAST, b64, by_id, disc_image, handler_for, param_values, points_json





def _tab_run(page):
    return handler_for(page, by_id(by_id(page, "tab_easydrag"), "easydrag_run"))[0]


def _tab_message(out_html):
    m = re.search(r"<div class='error easydrag-error'>(.*?)</div>", out_html)
    assert m, out_html
    return html.unescape(m.group(1))


SMALL_MASK = Image.new("L", (32, 32), 255)

CASES = {
    "point off the image": dict(image=disc_image(), points=[[20, 20, 99, 28]]),
    "image too small": dict(image=Image.new("RGB", (8, 8)), points=[[1, 1, 2, 2]]),
    "image too wide": dict(image=Image.new("RGB", (5000, 16)), points=[[1, 1, 2, 2]]),
    "user mask missing": dict(image=disc_image(), points=[[20, 20, 36, 28]], mask_mode="user"),
    # every handle already on its target's pixel (issue 16: it ran the whole drag for no movement)
    "nothing to move": dict(image=disc_image(), points=[[20, 20, 20, 20], [30.2, 40, 29.8, 40.4]]),
    "mask of another size": dict(image=disc_image(), points=[[20, 20, 36, 28]], mask_mode="user",
                                 mask=SMALL_MASK),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tab_api_and_cli_give_the_same_message_for_the_same_bad_input(webui, page, client, tmp_path,
                                                                     capsys, case):
    c = CASES[case]
    image, points, mask = c["image"], c["points"], c.get("mask")
    params = FAST.replace(mask_mode=c.get("mask_mode", "auto"))

    *_, tab_html = _tab_run(page)("task(x)", image, "p", "", points_json(points, image.size), mask,
                                  *param_values(params))
    body = {"image": b64(image), "prompt": "p", "points": points,
            "params": {"mask_mode": params.mask_mode, "max_iterations": 2}}
    if mask is not None:
        body["mask"] = b64(mask)
    r = client.post("/easydrag/v1/drag", json=body)

    image.save(tmp_path / "in.png")
    argv = ["drag", "--image", str(tmp_path / "in.png"), "--out", str(tmp_path / "o.png"),
            "--points", ";".join(",".join(str(v) for v in p) for p in points),
            "--mask-mode", params.mask_mode, "--max-iterations", "2"]
    if mask is not None:
        mask.save(tmp_path / "m.png")
        argv += ["--mask", str(tmp_path / "m.png")]
    code = cli.main(argv)
    cli_message = capsys.readouterr().err.strip().removeprefix("error: ")

    assert r.status_code == 422 and code == 2
    assert _tab_message(tab_html) == r.json()["detail"] == cli_message


def test_a_failed_save_in_the_tab_shows_the_result_with_the_error(webui, page, monkeypatch):
    def full_disk(*a, **kw):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(webui.images, "save_image", full_disk)
    image, result_json, infotext, out_html = _tab_run(page)(
        "task(x)", disc_image(), "a red disc", "", points_json([[20, 20, 36, 28]]), None, *param_values())
    assert isinstance(image, Image.Image) and result_json and infotext.startswith("a red disc")
    assert "saving failed" in out_html and "No space left on device" in out_html


def test_a_failed_save_in_the_api_returns_the_result_with_saved_path_null(webui, client, monkeypatch):
    def full_disk(*a, **kw):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(webui.images, "save_image", full_disk)
    r = client.post("/easydrag/v1/drag", json={"image": b64(disc_image()), "prompt": "a red disc",
                                               "points": [[20, 20, 36, 28]], "save": True,
                                               "params": {"max_iterations": 2, "inversion_steps": 4,
                                                          "drag_step_index": 3, "reference_steps": 2,
                                                          "resize_long_side": 64}})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["saved_path"] is None and "No space left on device" in out["error"]
    assert Image.open(io.BytesIO(base64.b64decode(out["image"]))).size == (64, 64)


def test_an_unwritable_output_folder_is_refused_before_the_drag(webui, client, tmp_path, monkeypatch):
    from easydrag_ext.webui import settings

    (tmp_path / "blocker").write_text("a file where the output folder should be")
    monkeypatch.setattr(settings, "output_dir", lambda: str(tmp_path / "blocker" / "sub"))
    r = client.post("/easydrag/v1/drag", json={"image": b64(disc_image()), "prompt": "x",
                                               "points": [[20, 20, 36, 28]], "save": True})
    assert r.status_code == 422 and "cannot write into" in r.json()["detail"]
    assert webui.shared.state.history == []        # no drag ran
