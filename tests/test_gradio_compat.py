"""gradio's differences, read from the event listener's signature (ui/gradio_compat.py)."""
import gradio as gr
import pytest

from easydrag_ext.ui.gradio_compat import gradio_version, js_hook


def gradio3_click(fn, inputs=None, outputs=None, queue=None, _js=None):
    """The shape of gradio 3's listeners (A1111 v1.10.1)."""


def gradio4_click(fn, inputs=None, outputs=None, queue=None, js=None, **kwargs):
    """The shape of gradio 4's listeners (Forge)."""


def no_hook_click(fn, inputs=None, outputs=None):
    pass


def test_the_hook_goes_under_the_keyword_the_listener_takes():
    assert js_hook(gradio3_click, "submit_easydrag") == {"_js": "submit_easydrag"}
    assert js_hook(gradio4_click, "submit_easydrag") == {"js": "submit_easydrag"}


def test_no_hook_passes_nothing_and_a_listener_without_one_is_named():
    assert js_hook(gradio3_click, None) == {} and js_hook(no_hook_click, None) == {}
    with pytest.raises(TypeError, match="no_hook_click.*takes no JS hook"):
        js_hook(no_hook_click, "f")


def test_the_webuis_gradio_takes_the_hook_on_click_and_load():
    assert gradio_version() == gr.__version__ == "3.41.2"
    with gr.Blocks() as blocks:
        button = gr.Button()
        button.click(fn=None, inputs=None, outputs=None, **js_hook(button.click, "() => 1"))
        blocks.load(fn=None, inputs=None, outputs=None, **js_hook(blocks.load, "() => 2"))
    assert js_hook(button.click, "x") == {"_js": "x"} and js_hook(blocks.load, "x") == {"_js": "x"}
    assert sorted(d["js"] for d in blocks.dependencies) == ["() => 1", "() => 2"]
