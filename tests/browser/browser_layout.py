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
