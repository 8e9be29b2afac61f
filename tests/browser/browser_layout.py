"""What the layout tests share: the sizes and themes they run at, and how they open and measure a page."""

# (width, height, theme): the README's size, a common desktop, and the dark theme
LAYOUTS = [(1400, 1000, "light"), (1920, 1080, "light"), (1400, 1000, "dark")]
LAYOUT_IDS = [f"{w}x{h}-{t}" for w, h, t in LAYOUTS]


def box(page, sel):
    b = page.locator(sel).first.bounding_box()
    assert b is not None, f"{sel} is not rendered"
    return b


def in_first_viewport(page, sel, height):
    b = box(page, sel)
    return b["y"] >= 0 and b["y"] + b["height"] <= height


def open_page(context, url, width, height, theme):
    """A page at `width`x`height` in `theme` (gradio's ?__theme=dark), and the list its JS errors go to."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + ("?__theme=dark" if theme == "dark" else ""))
    return page, errors


def assert_run_and_result_in_view(page, height):
    """Run and Interrupt inside the first viewport, the result view starting in it, beside the canvas."""
    assert in_first_viewport(page, "#easydrag_run", height), "Run is below the fold"
    assert in_first_viewport(page, "#easydrag_interrupt", height)
    assert box(page, "#easydrag_result_view")["y"] < 0.6 * height, "the result area starts in the first viewport"
    assert box(page, "#easydrag_result_view")["x"] > box(page, "#easydrag_canvas")["x"] + 300, \
        "the result is not beside the canvas"


def run_shows_the_error_next_to_run(page):
    """Press Run (on an empty tab): the styled error appears right under Run and nothing scrolls;
    returns the error's box."""
    page.click("#easydrag_run")
    err = page.locator("#easydrag_html_info .easydrag-error")
    err.wait_for(state="visible", timeout=30000)
    assert page.evaluate("window.scrollY") == 0, "Run scrolled the page"
    run_b, err_b = box(page, "#easydrag_run"), err.bounding_box()
    assert 0 <= err_b["y"] - (run_b["y"] + run_b["height"]) < 80, "the error is not next to Run"
    return err_b
