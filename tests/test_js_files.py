"""The canvas's scripts stay small files with one job each (the WebUI loads every file in
javascript/; tests/browser/test_canvas_browser.py checks that the harness loads them all)."""
from easydrag_ext.ui import assets


def test_every_canvas_script_is_a_small_file():
    sizes = {p.name: len(p.read_text(encoding="utf8").splitlines()) for p in assets.script_paths()}
    assert {n: s for n, s in sizes.items() if s > 350} == {}
