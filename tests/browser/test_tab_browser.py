"""The tab's layout rules in the real page structure (the standalone gradio 3.41.2 app, the
same Blocks the WebUI mounts), and the PNG Info points race on the harness.

At 1400x1000 and 1920x1080 in the light theme and 1400x1000 in the dark one: Run and
the result view are in the first viewport; Run with no input shows
a styled error next to Run without scrolling; an example run shows progress (phase and
step), clears the old error at once, and puts the result beside the input without
scrolling; the slider at "After" shows the result and at "Before" the input.  The final
screenshot of the 1400x1000 light run is docs/tab_screenshot.png when
EASYDRAG_UPDATE_SCREENSHOT=1 (saved losslessly at PNG's best compression); every
size's shot goes to EASYDRAG_SCREENSHOT_DIR when set (else tmp), to look at.
"""
import json
import os
from pathlib import Path

import pytest

from browser_layout import (LAYOUT_IDS, LAYOUTS, assert_run_and_result_in_view,
                            in_first_viewport as _in_first_viewport, open_page, run_shows_the_error_next_to_run)

POINTS_BOX = "document.querySelector('#easydrag_points_json textarea, #easydrag_points_json input')"
ROOT = Path(__file__).resolve().parents[2]
GOOD_EXAMPLE = 3          # the purple square: arrives with the shipped model (docs/shapes.md)


README_LAYOUT = (1400, 1000, "light")


# Colour shown by the result view at a pixel where input and result differ most (away from
# the handle markers), next to that pixel's colour in each image.
SAMPLE_JS = """() => {
  const rv = easydrag.bridge.state.result, c = rv.canvas, dpr = window.devicePixelRatio || 1;
  const size = rv.result.size, W = size[0], H = size[1];
  function pixels(img) { const k = document.createElement('canvas'); k.width = W; k.height = H;
    const x = k.getContext('2d'); x.drawImage(img, 0, 0, W, H); return x.getImageData(0, 0, W, H).data; }
  const A = pixels(rv.before), B = pixels(rv.after);
  const marks = rv.result.final_handles.concat(rv.targets.filter(Boolean));
  let best = -1, at = null;
  for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) {
    if (marks.some(m => Math.hypot(m[0] - i, m[1] - j) < 4)) continue;
    const k = (j * W + i) * 4, d = Math.abs(A[k] - B[k]) + Math.abs(A[k+1] - B[k+1]) + Math.abs(A[k+2] - B[k+2]);
    if (d > best) { best = d; at = [i, j, k]; }
  }
  const v = new easydrag.Viewport(W, H, c.width / dpr, c.height / dpr), p = v.pixelCentre(at[0], at[1]);
  const s = c.getContext('2d').getImageData(Math.round(p.x * dpr), Math.round(p.y * dpr), 1, 1).data;
  const k = at[2];
  return {diff: best, before: [A[k], A[k+1], A[k+2]], after: [B[k], B[k+1], B[k+2]], shown: [s[0], s[1], s[2]]};
}"""


def _close(a, b, tol=12):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def _save_screenshot(page, path: Path, compact: bool) -> None:
    page.screenshot(path=str(path))
    if compact:     # lossless: RGB without alpha, zlib at its best (about 125 KB at 1400x1000).
        # A 256-colour palette (PIL's median cut, max coverage, octree) made it 35-40 KB but
        # shifted the example thumbnails' colours and banded the gradient backgrounds.
        from PIL import Image

        Image.open(path).convert("RGB").save(path, optimize=True)


@pytest.mark.parametrize("width,height,theme", LAYOUTS, ids=LAYOUT_IDS)
def test_run_where_the_eye_is_progress_result_beside_the_input(browser_context, app_url, tmp_path,
                                                               width, height, theme):
    page, errors = open_page(browser_context, app_url, width, height, theme)
    page.wait_for_selector("#easydrag_canvas .easydrag-editor", timeout=60000)
    page.wait_for_selector("#easydrag_result_view .easydrag-result", timeout=20000)

    # The page says what it is.
    about = page.locator("#easydrag_about").first.inner_text()   # gradio puts the id on two elements
    assert "EasyDrag" in about and "ShapesDrag" in about and "WebUI" in about
    assert page.title() == "EasyDrag"
    dark = page.evaluate("document.body.classList.contains('dark')")
    assert dark == (theme == "dark"), "the theme did not apply"

    assert_run_and_result_in_view(page, height)

    # Run with no image: one styled error next to Run, and the page stays where it is.
    err_b = run_shows_the_error_next_to_run(page)
    assert err_b["y"] + err_b["height"] <= height
    border = page.evaluate("getComputedStyle(document.querySelector('#easydrag_html_info .easydrag-error')).borderTopColor")
    assert border.replace(" ", "") == "rgb(220,38,38)", border

    # An example sets image, prompt and pair in one click (the points survive the image load).
    page.locator("#easydrag_examples_set button").nth(GOOD_EXAMPLE).click()
    page.wait_for_function("() => { try { return JSON.parse(" + POINTS_BOX + ".value).points.length === 1 "
                           "&& easydrag.bridge.state.editor.image; } catch (e) { return false; } }", timeout=30000)
    assert page.locator("#easydrag_prompt textarea").input_value().startswith("a purple square")

    # Run: the old error goes at once, progress shows phase and step over the result.
    page.click("#easydrag_run")
    page.wait_for_function("() => !document.querySelector('#easydrag_html_info .easydrag-error')", timeout=10000)
    page.wait_for_function("() => { const t = document.querySelector('.easydrag-progress-text');"
                           " return t && /^(Inverting|Dragging|Denoising) \\d+\\/\\d+$/.test(t.textContent); }", timeout=60000)
    bar = page.evaluate("parseFloat(document.querySelector('.easydrag-progress-bar').style.width)")
    assert bar > 0, "the bar shows the whole drag's progress while a phase runs"
    assert _in_first_viewport(page, ".easydrag-progress", height)
    page.wait_for_function("() => /arrived/.test(document.querySelector('#easydrag_html_info').textContent)", timeout=300000)
    page.wait_for_function("() => !document.querySelector('.easydrag-progress')", timeout=10000)
    assert page.evaluate("window.scrollY") == 0, "the page scrolled during the run"
    assert _in_first_viewport(page, "#easydrag_result_view canvas.easydrag-result-view", height), "the result is not in view"
    assert page.locator("#easydrag_save button, button#easydrag_save").first.is_disabled(), \
        "auto-saved: Save would write a second copy"

    # The slider: "After" (its start) shows the result, "Before" the input.
    slider = page.locator("#easydrag_result_view input.easydrag-slider")
    assert slider.input_value() == "100"
    s = page.evaluate(SAMPLE_JS)
    assert s["diff"] > 30, s
    assert _close(s["shown"], s["after"]) and not _close(s["shown"], s["before"]), s
    slider.fill("0")
    s = page.evaluate(SAMPLE_JS)
    assert _close(s["shown"], s["before"]), s
    slider.fill("100")

    update = os.environ.get("EASYDRAG_UPDATE_SCREENSHOT") == "1" and (width, height, theme) == README_LAYOUT
    folder = Path(os.environ.get("EASYDRAG_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = ROOT / "docs" / "tab_screenshot.png" if update else folder / f"tab_{width}x{height}_{theme}.png"
    _save_screenshot(page, shot, compact=update)
    assert shot.stat().st_size > 20000
    print(f"screenshot: {shot}")
    assert not errors, errors
    page.close()


def test_points_written_just_before_their_image_survive_its_load(browser_context):
    """PNG Info -> Send to EasyDrag: gradio writes the points box, then ~30 ms later the image
    arrives; its load used to send the editor's empty state over the points."""
    page = browser_context.new_page()
    page.goto((Path(__file__).parent / "harness.html").as_uri())
    page.wait_for_function("() => easydrag.bridge.state.editor && easydrag.bridge.state.editor.image")
    restored = {"points": [[5, 6, 50, 60]], "mask": None, "size": [200, 300]}
    old = page.evaluate("easydrag.bridge.state.editor.image.src")
    # The image's load starts (a tick saw it), then Python's points land before it finishes.
    page.evaluate("(t) => { harness.setImage(200, 300, 30); easydrag.bridge.tick(); harness.setPointsFromPython(t); }",
                  json.dumps(restored))
    page.wait_for_function("(old) => { const ed = easydrag.bridge.state.editor; return ed.image && ed.image.src !== old"
                           " && ed.state.width === 200; }", arg=old)
    page.wait_for_function("() => JSON.parse(" + POINTS_BOX + ".value).points.length === 1", timeout=3000)
    got = json.loads(page.evaluate(POINTS_BOX + ".value"))
    assert got["points"] == [[5, 6, 50, 60]] and got["size"] == [200, 300]
    assert page.evaluate("harness.received[harness.received.length - 1].points") == [[5, 6, 50, 60]], \
        "the last value Python received must be the restored points"
    page.close()


def test_a_painted_mask_in_auto_mode_is_named_ignored_and_one_click_switches_to_user(browser_context):
    page = browser_context.new_page()
    page.goto((Path(__file__).parent / "harness.html").as_uri())
    page.wait_for_function("() => easydrag.bridge.state.editor && easydrag.bridge.state.editor.image")
    status = page.locator("#easydrag_canvas .easydrag-editor .easydrag-status")
    use = page.locator("#easydrag_canvas [data-action=useMask]")
    assert not use.is_visible()
    page.click("#easydrag_canvas [data-action=brush]")
    box = page.locator("#easydrag_canvas canvas.easydrag-view").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function("() => /auto mode ignores the painted mask/.test(document.querySelector("
                           "'#easydrag_canvas .easydrag-editor .easydrag-status').textContent)")
    assert use.is_visible()
    use.click()
    assert page.evaluate("document.querySelector('#easydrag_mask_mode input:checked').value") == "user"
    assert page.locator("#easydrag_canvas select.easydrag-mask-mode").input_value() == "user"
    assert "ignores" not in status.inner_text() and not use.is_visible()
    # the radio changed elsewhere (e.g. pasted params): the menu follows
    page.evaluate("document.querySelector('#easydrag_mask_mode input[value=none]').click()")
    page.wait_for_function("() => document.querySelector('#easydrag_canvas select.easydrag-mask-mode').value === 'none'")
    assert "mode none ignores the painted mask" in status.inner_text()
    # tooltips carry the shortcut
    assert page.get_attribute("#easydrag_canvas [data-action=brush]", "title") == "Brush (B)"
    page.close()
