"""EasyDrag canvas in headless Chromium (Debian package, driven by Playwright; no browser
download). Against tests/browser/harness.html by default, or the standalone app when
EASYDRAG_UI_URL is set. Drags two pairs, undoes and redoes, zooms, paints a mask, checks
the JSON that reached Python in native pixels, runs, checks the result view and saves a
screenshot (EASYDRAG_SCREENSHOT_DIR, else pytest's tmp dir).
"""
import base64
import io
import json
import math
import os
import tempfile
from pathlib import Path

import pytest

from canvas_targets import make_target  # noqa: E402

VIEW = "#easydrag_canvas canvas.easydrag-view"
# gradio renders a textarea or, for one-line boxes, an input
POINTS_BOX = "document.querySelector('#easydrag_points_json textarea, #easydrag_points_json input')"
RESULT_BOX = "document.querySelector('#easydrag_result_json textarea, #easydrag_result_json input')"
W, H = 320, 200          # non-square input on purpose: the canvas letterboxes it


def decode_png(data_url):
    from PIL import Image
    assert data_url.startswith("data:image/png;base64,"), data_url[:40]
    return Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("L")


class Canvas:
    """Display positions computed independently of the page's JS: the image is fitted
    ("contain") and centred in the canvas at zoom 1."""

    def __init__(self, page, target):
        self.page, self.target = page, target

    def box(self):
        return self.page.locator(VIEW).bounding_box()

    def at(self, nx, ny):
        b = self.box()
        s = min(b["width"] / W, b["height"] / H)
        ox = b["x"] + (b["width"] - W * s) / 2
        oy = b["y"] + (b["height"] - H * s) / 2
        return ox + (nx + 0.5) * s, oy + (ny + 0.5) * s

    def drag(self, a, b, steps=8):
        m = self.page.mouse
        m.move(*a)
        m.down()
        m.move(*b, steps=steps)
        m.up()

    def last(self):
        got = self.target.received(self.page)
        assert got, "nothing reached the points textbox"
        return got[-1]

    def wait_points(self, n):
        """Poll until the last payload has n pairs (edits are sent synchronously, so this is immediate)."""
        self.page.wait_for_function(
            "(n) => { const b = " + POINTS_BOX + ";"
            " try { return JSON.parse(b.value).points.length === n; } catch (e) { return false; } }", arg=n)
        return self.last()

    def status(self):
        return self.page.locator("#easydrag_canvas .easydrag-editor .easydrag-status").inner_text()


@pytest.mark.parametrize("kind", ["harness", "app"])
def test_canvas_points_mask_and_result(browser_context, tmp_path, kind, request):
    target = make_target(kind, request.getfixturevalue("app_url") if kind == "app" else None)
    page = browser_context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # gradio asks for web fonts offline; those network failures are not the canvas's.
    offline = ("Failed to load resource", "Unable to preload CSS")
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith(offline) else None)
    target.open(page)
    target.load_image(page, W, H, tmp_path)
    page.wait_for_function("(s) => document.querySelector(s) && document.querySelector(s).offsetWidth > 0", arg=VIEW)
    cv = Canvas(page, target)
    page.wait_for_function("() => /320×200/.test(document.querySelector('.easydrag-editor .easydrag-status').textContent)")

    # Two pairs by press-drag-release, exact native pixels in the JSON.
    pairs = [(60, 50, 110, 70), (200, 150, 250, 120)]
    for hx, hy, tx, ty in pairs:
        cv.drag(cv.at(hx, hy), cv.at(tx, ty))
    got = cv.wait_points(2)
    assert got["points"] == [list(p) for p in pairs]
    assert got["size"] == [W, H] and got["mask"] is None

    # Undo with the button, redo with the keyboard; each is one step.
    page.click("#easydrag_canvas [data-action=undo]")
    assert cv.wait_points(1)["points"] == [list(pairs[0])]
    page.keyboard.press("Control+Shift+Z")
    assert cv.wait_points(2)["points"] == [list(p) for p in pairs]

    # A lone click makes an unfinished pair: shown, never sent; Escape drops it.
    sent_before = len(target.received(page))
    page.mouse.click(*cv.at(150, 30))
    assert "unfinished" in cv.status()
    assert cv.last()["points"] == [list(p) for p in pairs], "unfinished pair must not be sent"
    page.keyboard.press("Escape")
    assert "unfinished" not in cv.status()
    assert len(target.received(page)) >= sent_before

    # Click handle, click target also makes a pair; Delete removes the selected pair; undo steps back one edit at a time.
    page.mouse.click(*cv.at(150, 30))
    page.mouse.click(*cv.at(170, 45))
    assert cv.wait_points(3)["points"][2] == [150, 30, 170, 45]
    page.keyboard.press("Delete")
    assert cv.wait_points(2)["points"] == [list(p) for p in pairs]
    page.keyboard.press("Control+Z")
    assert cv.wait_points(3)["points"][2] == [150, 30, 170, 45]
    page.keyboard.press("Control+Z")
    assert cv.wait_points(2)["points"] == [list(p) for p in pairs]
    assert "unfinished" in cv.status(), "one undo only takes back the target click"
    page.keyboard.press("Control+Z")
    assert "unfinished" not in cv.status()

    # Zoom with the wheel over a target, then drag it: the move maps through the zoom.
    tx, ty = pairs[1][2], pairs[1][3]
    wheel_at = cv.at(tx, ty)
    page.mouse.move(*wheel_at)
    page.mouse.wheel(0, -400)
    page.wait_for_function("() => /zoom \\d+%/.test(document.querySelector('.easydrag-editor .easydrag-status').textContent)")
    view = page.evaluate("(() => { const v = easydrag.bridge.state.editor.view; const o = v.origin();"
                         " return {ox: o.x, oy: o.y, s: v.scale()}; })()")
    fit = min(cv.box()["width"] / W, cv.box()["height"] / H)
    assert view["s"] > fit * 1.5
    b = cv.box()

    def zoomed(nx, ny):
        # Browsers deliver whole CSS pixels; at this zoom one native pixel spans > 2 of them,
        # so the rounded pixel centre still lies inside the intended native pixel.
        return round(b["x"] + view["ox"] + (nx + 0.5) * view["s"]), round(b["y"] + view["oy"] + (ny + 0.5) * view["s"])

    start = zoomed(tx, ty)
    assert abs(start[0] - wheel_at[0]) <= 1.5 and abs(start[1] - wheel_at[1]) <= 1.5, "zoom keeps the point under the cursor"
    cv.drag(start, zoomed(tx + 20, ty - 3))
    assert cv.last()["points"][1] == [200, 150, tx + 20, ty - 3]
    page.keyboard.press("Control+Z")
    assert cv.wait_points(2)["points"][1] == list(pairs[1])
    page.keyboard.press("r")
    page.wait_for_function("() => !/zoom \\d+%/.test(document.querySelector('.easydrag-editor .easydrag-status').textContent)")

    # Paint a mask stroke with the brush: a native-size PNG, white along the stroke only.
    page.click("#easydrag_canvas [data-action=brush]")
    cv.drag(cv.at(100, 100), cv.at(180, 100), steps=12)
    page.wait_for_function("() => JSON.parse(" + POINTS_BOX + ".value).mask !== null")
    got = cv.last()
    mask = decode_png(got["mask"])
    assert mask.size == (W, H)
    radius = page.evaluate("easydrag.bridge.state.editor.brushRadius")
    assert mask.getpixel((140, 100)) == 255 and mask.getpixel((100, 100)) == 255
    assert mask.getpixel((140, 100 + radius + 3)) == 0 and mask.getpixel((20, 20)) == 0
    assert got["points"] == [list(p) for p in pairs], "painting keeps the points"

    # Brush size keys, mask show/hide and opacity toggles.
    page.keyboard.press("]")
    page.keyboard.press("]")
    bigger = page.evaluate("easydrag.bridge.state.editor.brushRadius")
    assert bigger > radius
    page.keyboard.press("[")
    assert page.evaluate("easydrag.bridge.state.editor.brushRadius") < bigger
    toggle = page.locator("#easydrag_canvas [data-action=toggleMask]")
    toggle.click()
    assert toggle.inner_text() == "Show mask"
    page.keyboard.press("m")
    assert toggle.inner_text() == "Hide mask"
    opacity = page.locator("#easydrag_canvas [data-action=opacity]")
    first = opacity.inner_text()
    opacity.click()
    assert opacity.inner_text() != first

    # Shortcuts follow the settings (opts.easydrag_key_*), and the tab lists them.
    page.evaluate("window.opts = {easydrag_key_undo: 'Alt+U'}; easydrag.bridge.reloadKeys()")
    assert "Alt+U" in page.locator("#easydrag_canvas .easydrag-shortcuts").text_content()
    page.keyboard.press("Alt+u")
    page.wait_for_function("() => JSON.parse(" + POINTS_BOX + ".value).mask === null")
    page.keyboard.press("Control+Shift+Z")
    page.wait_for_function("() => JSON.parse(" + POINTS_BOX + ".value).mask !== null")
    page.evaluate("window.opts = {}; easydrag.bridge.reloadKeys()")
    page.click("#easydrag_canvas [data-action=points]")

    # Live frames pushed by the WebUI progress glue show moving handles in the result view.
    page.evaluate("easydrag.bridge.liveFrame({final_handles: [[70, 55], [210, 140]], step: 3, steps: 4})")
    page.wait_for_function("() => /Running 3\\/4/.test(document.querySelector('.easydrag-result .easydrag-status').textContent)")
    assert page.locator(".easydrag-result canvas").is_visible()
    page.evaluate("easydrag.bridge.liveFrame({final_handles: [[70, 55], [210, 140]], done: true})")
    page.wait_for_function("() => document.querySelector('.easydrag-result .easydrag-result-body').style.display === 'none'")

    # Run: live frame (harness only), then result view with slider, heatmap and handles.
    target.start_run(page)
    if target.has_live_frames():
        page.wait_for_function("() => /Running 1\\/2/.test(document.querySelector('.easydrag-result .easydrag-status').textContent)")
    target.finish_run(page)
    page.wait_for_function("() => { const r = document.querySelector('.easydrag-result');"
                           " return r && r.style.display !== 'none' && !document.querySelector('[data-action=useResult]').disabled; }")
    slider = page.locator(".easydrag-result input.easydrag-slider")
    assert slider.is_visible()
    slider.fill("25")
    heat_btn = page.locator(".easydrag-result [data-action=heatmap]")
    if json.loads(page.evaluate(RESULT_BOX + ".value")).get("mask_heat"):
        page.wait_for_function("() => !document.querySelector('.easydrag-result [data-action=heatmap]').disabled")
        heat_btn.click()
        assert heat_btn.inner_text().lower().startswith("hide")
    else:
        assert heat_btn.is_disabled(), "no heatmap in the result: the toggle is off"
    shot_dir = Path(os.environ.get("EASYDRAG_SCREENSHOT_DIR") or tmp_path)
    shot_dir.mkdir(parents=True, exist_ok=True)
    shot = shot_dir / f"easydrag_canvas_{target.name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10000
    print(f"screenshot: {shot}")

    # Use result as input: handles move to the tracked positions, targets and history stay.
    final = json.loads(page.evaluate(RESULT_BOX + ".value"))["final_handles"]
    before_src = page.evaluate("document.querySelector('#easydrag_image img').src")
    page.click(".easydrag-result [data-action=useResult]")
    # Wait until the new input image reached the editor (it resets points unless kept).
    page.wait_for_function(
        "(old) => { const i = document.querySelector('#easydrag_image img'); const ed = easydrag.bridge.state.editor;"
        " return i && i.src !== old && ed.image && ed.image.src === i.src; }", arg=before_src)
    # a continuous position lies in pixel floor(p): the canvas's convention for native pixels
    page.wait_for_function("(f) => JSON.parse(" + POINTS_BOX + ".value).points[0][0] === f",
                           arg=math.floor(final[0][0]))
    got = cv.last()
    assert [p[:2] for p in got["points"]] == [[math.floor(x), math.floor(y)] for x, y in final]
    assert [p[2:] for p in got["points"]] == [list(p[2:]) for p in pairs]
    assert got["mask"] is not None, "the mask survives Use result as input"
    page.click("#easydrag_canvas [data-action=undo]")
    assert cv.wait_points(2)["points"] == [list(p) for p in pairs], "history kept across Use result as input"

    # Python writes the box (restoring points): the editor loads them and echoes them back.
    restored = {"points": [[10, 20, 30, 40]], "mask": None, "size": [W, H]}
    target.python_writes_points(page, json.dumps(restored))
    page.wait_for_function("() => /Points restored/.test(document.querySelector('.easydrag-editor .easydrag-status').textContent)")
    assert cv.last()["points"] == [[10, 20, 30, 40]]

    # A new input image resets points and mask (the restored points were for another size).
    target.load_image(page, 200, 300, tmp_path)
    page.wait_for_function("() => /200×300/.test(document.querySelector('.easydrag-editor .easydrag-status').textContent)")
    got = cv.last()
    assert got == {"points": [], "mask": None, "size": [200, 300]}

    # Points Python writes just before their image arrives (restore from PNG info) survive the reset.
    target.python_writes_points(page, json.dumps({"points": [[5, 6, 50, 60]], "mask": None, "size": [200, 300]}))
    page.wait_for_function("() => /Points restored/.test(document.querySelector('.easydrag-editor .easydrag-status').textContent)")
    old_src = page.evaluate("document.querySelector('#easydrag_image img').src")
    if target.name == "harness":
        page.evaluate("harness.setImage(200, 300, 30)")
        page.wait_for_function("(old) => easydrag.bridge.state.editor.image.src !== old", arg=old_src)
        assert cv.wait_points(1)["points"] == [[5, 6, 50, 60]]

    assert not errors, f"page errors: {errors}"
    page.close()


def test_harness_loads_every_canvas_script():
    """The harness must load every canvas file, like the WebUI loads all of javascript/."""
    root = Path(__file__).resolve().parents[2]
    html = (Path(__file__).parent / "harness.html").read_text()
    mine = sorted(p.name for p in (root / "javascript").glob("easydrag_*.js") if p.name != "easydrag_webui.js")
    assert mine, "no canvas scripts found"
    missing = [name for name in mine if f"../../javascript/{name}" not in html]
    assert not missing, f"harness.html does not load {missing}"
