"""The host patches gradio components so every creation fires before/after_component."""
import gradio as gr

from modules import script_callbacks

_originals = {}


def _patched(cls_name, original):
    def init(self, *args, **kwargs):
        self.webui_tooltip = kwargs.pop("tooltip", None)
        script_callbacks.before_component_callback(self, **kwargs)
        original(self, *args, **kwargs)
        script_callbacks.after_component_callback(self, **kwargs)
    return init


def patch():
    for cls in (gr.components.IOComponent, gr.blocks.BlockContext):
        if cls not in _originals:
            _originals[cls] = cls.__init__
            cls.__init__ = _patched(cls.__name__, cls.__init__)


def unpatch():
    for cls, original in list(_originals.items()):
        cls.__init__ = original
        del _originals[cls]
