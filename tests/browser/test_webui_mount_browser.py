"""The tab's layout rules with the tab mounted as WebUI v1.10.1 mounts it (tests/browser/webui_page.py:
inside gr.Tabs(elem_id="tabs") beside txt2img, img2img, Extras and PNG Info, as TabItem
"tab_easydrag", the fake host's services, every javascript/*.js and style.css on the page).

Checked: the tab is reached through the host's tab strip; Run, Interrupt and the result view
are in the first viewport, the result beside the canvas; Run with no image shows the styled
error next to Run without scrolling and hands the host's progress bar the result view.
Not checked here (docs/webui.md): the WebUI's own style.css and script.js, a run to a result.
"""
import os
from pathlib import Path

import pytest

from browser_layout import LAYOUT_IDS, LAYOUTS, assert_run_and_result_in_view, open_page, run_shows_the_error_next_to_run



@pytest.mark.parametrize("width,height,theme", LAYOUTS, ids=LAYOUT_IDS)
def test_the_tab_inside_the_webui_tabs_keeps_run_and_result_in_view(browser_context, webui_url, tmp_path,
                                                                    width, height, theme):
    page, errors = open_page(browser_context, webui_url, width, height, theme)
    page.wait_for_selector("#tabs", timeout=60000)
    assert page.locator("#tabs #tab_easydrag").count() == 1, "the tab is not a TabItem of the host's #tabs"
    assert page.locator("#tabs #tab_txt2img").count() == 1
    page.locator("#tabs .tab-nav button", has_text="EasyDrag").first.click()
    page.wait_for_selector("#tab_easydrag #easydrag_canvas .easydrag-editor", timeout=30000)
    page.wait_for_selector("#tab_easydrag #easydrag_result_view .easydrag-result", timeout=20000)

    assert_run_and_result_in_view(page, height)
    run_shows_the_error_next_to_run(page)
    calls = page.evaluate("window.__requestProgressCalls")
    assert calls and calls[-1]["container"] == "easydrag_result_view" and calls[-1]["id"].startswith("task(")

    folder = Path(os.environ.get("EASYDRAG_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"webui_{width}x{height}_{theme}.png"))
    assert not errors, errors
    page.close()
