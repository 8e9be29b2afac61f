"""Pages the canvas browser test can drive.

HarnessTarget: tests/browser/harness.html, a static page with the tab's element ids and a
fake "Python" that records every value reaching the points textbox.
AppTarget: the standalone app (``python -m easydrag_ext ui``) at EASYDRAG_UI_URL; the run
step clicks #easydrag_run and waits for the result JSON. Swap targets with that variable.
"""
import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

RESULT_TEXT = "(() => { const b = document.querySelector('#easydrag_result_json textarea, #easydrag_result_json input'); return b ? b.value : ''; })()"


class HarnessTarget:
    name = "harness"

    def __init__(self):
        self.url = (HERE / "harness.html").as_uri()

    def open(self, page):
        page.goto(self.url)

    def load_image(self, page, width, height, tmp_dir):
        page.evaluate("([w, h]) => harness.setImage(w, h)", [width, height])

    def received(self, page):
        """Every payload that reached "Python", oldest first."""
        return page.evaluate("harness.received")

    def start_run(self, page):
        page.click("#easydrag_run")

    def finish_run(self, page):
        page.evaluate("harness.finishRun()")

    def python_writes_points(self, page, text):
        page.evaluate("(t) => harness.setPointsFromPython(t)", text)

    def has_live_frames(self):
        return True


class AppTarget:
    """The standalone gradio app; the lead points EASYDRAG_UI_URL at it."""
    name = "app"

    def __init__(self, url):
        self.url = url

    def open(self, page):
        page.goto(self.url)
        page.wait_for_selector("#easydrag_canvas", timeout=60000)

    def load_image(self, page, width, height, tmp_dir):
        from PIL import Image, ImageDraw
        # A new name each time: Chromium fires no "change" when the same path is chosen again.
        path = Path(tmp_dir) / f"input_{width}x{height}_{len(list(Path(tmp_dir).glob('input_*')))}.png"
        img = Image.new("RGB", (width, height), (40, 90, 140))
        ImageDraw.Draw(img).ellipse((width * 0.2, height * 0.3, width * 0.5, height * 0.7), fill=(240, 240, 240))
        img.save(path)
        page.set_input_files("#easydrag_image input[type=file]", str(path))

    def received(self, page):
        """What gradio holds for Python: the textbox's current value."""
        text = page.evaluate("(() => { const b = document.querySelector('#easydrag_points_json textarea, #easydrag_points_json input'); return b ? b.value : ''; })()")
        return [json.loads(text)] if text.strip() else []

    def start_run(self, page):
        page.locator("#easydrag_run").first.click()

    def finish_run(self, page):
        page.wait_for_function(
            "(() => { try { const r = JSON.parse(" + RESULT_TEXT + "); return r && !r.running && r.final_handles; } catch (e) { return false; } })()",
            timeout=300000)

    def python_writes_points(self, page, text):
        # Only the harness can play Python; against the app this step uses the page's box directly.
        page.evaluate("(t) => { const b = document.querySelector('#easydrag_points_json textarea'); b.value = t; }", text)

    def has_live_frames(self):
        return False


def make_target(kind=None, app_url=None):
    """kind "harness" or "app"; with no kind, EASYDRAG_UI_URL decides (as before)."""
    url = os.environ.get("EASYDRAG_UI_URL", "").strip()
    if kind is None:
        kind = "app" if url else "harness"
    return AppTarget(app_url or url) if kind == "app" else HarnessTarget()
