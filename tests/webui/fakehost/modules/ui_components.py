import gradio as gr


class FormComponent:
    def get_expected_parent(self):
        return gr.components.Form


class ToolButton(FormComponent, gr.Button):
    """Small emoji button; the host's patched components accept (and strip) `tooltip`."""

    def __init__(self, *args, **kwargs):
        self.webui_tooltip = kwargs.pop("tooltip", None)
        classes = kwargs.pop("elem_classes", [])
        super().__init__(*args, elem_classes=["tool", *classes], **kwargs)

    def get_block_name(self):
        return "button"
