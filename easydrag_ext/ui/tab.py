"""The EasyDrag tab, host-free: the same Blocks in the WebUI and in the standalone app.

Laid out like a WebUI generation tab: left, the canvas (with its toolbar, the mask mode
and the image upload) and the prompts and parameters; right, Run + Interrupt at the top,
the message line, then the result view, the Send-to buttons and the infotext.

Element ids all start with `easydrag_` and labels are unique inside the tab (the WebUI
keys ui-config.json by label).  The canvas (javascript/) mounts in `#easydrag_canvas`,
its result view in `#easydrag_result_view`, and talks to Python only through hidden
components (docs/canvas.md): the gradio Images stay on the page as data carriers, the
canvas shows the pictures, so input and result appear once each.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

import gradio as gr

from ..params import DragParams
from . import handlers
from .gradio_compat import js_hook
from .param_widgets import advanced_fields, build_components, field_names, visible_fields
from .restore import make_restore
from .tab_host import DragServices
from .upload_image import UploadImage

HIDDEN_CLASS = "easydrag-hidden"          # rendered (values still flow) but not seen
POINTS_HELP = ('[[hx, hy, tx, ty], ...] in image pixels, or {"points": [...], "mask": null, '
               '"size": [w, h]}')


@dataclass
class EasyDragTab:
    blocks: Any
    image: Any
    prompt: Any
    negative_prompt: Any
    points_json: Any
    mask_image: Any
    params: Dict[str, Any]          # field name -> component, FIELDS order
    run: Any
    interrupt: Any
    save: Any
    result: Any
    result_json: Any
    infotext: Any
    html_info: Any
    task_id: Any
    result_buttons_row: Any = None
    extra: Dict[str, Any] = field(default_factory=dict)
    source_info: Any = None         # hidden: the image's infotext facts (ui/source_info.py), JSON

    @property
    def run_inputs(self) -> List[Any]:
        extra = [self.source_info] if self.source_info is not None else []
        return [self.task_id, self.image, self.prompt, self.negative_prompt, self.points_json,
                self.mask_image] + [self.params[n] for n in field_names()] + extra


def clear_message() -> str:
    return ""


def build_tab(services: DragServices, defaults: DragParams = DragParams()) -> EasyDragTab:
    """Build the tab's Blocks; event handlers go through `services`."""
    names = field_names()
    hidden = [HIDDEN_CLASS]
    with gr.Blocks(analytics_enabled=False) as blocks:
        task_id = gr.Textbox(visible=False, elem_id="easydrag_task_id")
        with gr.Row(equal_height=False, elem_id="easydrag_main_row"):
            with gr.Column(elem_id="easydrag_input_column", scale=1):
                gr.HTML(elem_id="easydrag_canvas")
                # Data carriers: the canvas uploads into `image` and shows it; the mask is
                # painted (or loaded) in the canvas, so `mask_image` stays empty.  image_mode=None:
                # the upload as it is (16-bit, palette, alpha, CMYK): engine.inputs converts it.
                # UploadImage: a bad upload reaches the handlers as the decoder's message.
                image = UploadImage(label="Image", elem_id="easydrag_image", type="pil",
                                    image_mode=None, elem_classes=hidden, role="image")
                mask_image = UploadImage(label="Mask image", elem_id="easydrag_mask_image", type="pil",
                                         image_mode=None, elem_classes=hidden, role="mask")
                points_json = gr.Textbox(label="Points (JSON)", elem_id="easydrag_points_json",
                                         lines=2, placeholder=POINTS_HELP, elem_classes=hidden)
                # The canvas toolbar shows a mask-mode menu next to the brush and sets this.
                comps = build_components(["mask_mode"], defaults, elem_classes=hidden)
                prompt = gr.Textbox(label="Prompt", elem_id="easydrag_prompt", lines=2,
                                    placeholder="What the image shows (filled from its infotext)")
                negative = gr.Textbox(label="Negative prompt", elem_id="easydrag_negative_prompt",
                                      lines=1, info="Used by prompt_cfg guidance (images with WebUI infotext); "
                                           "reference guidance uses the prompt as its own negative.")
                with gr.Row(elem_id="easydrag_params_main"):
                    comps.update(build_components(visible_fields(), defaults))
                with gr.Accordion("Advanced", open=False, elem_id="easydrag_params"):
                    comps.update(build_components(advanced_fields(), defaults, with_paper=True))
            with gr.Column(elem_id="easydrag_results", scale=1):
                with gr.Row(elem_id="easydrag_run_row"):
                    run = gr.Button("Run", variant="primary", elem_id="easydrag_run")
                    interrupt = gr.Button("Interrupt", elem_id="easydrag_interrupt")
                # Errors and notes of the last run, next to Run (cleared when a run starts).
                html_info = gr.HTML(elem_id="easydrag_html_info")
                with gr.Column(elem_id="easydrag_result_panel"):
                    gr.HTML(elem_id="easydrag_result_view")
                result = gr.Image(label="Result", elem_id="easydrag_result", type="pil",
                                  interactive=False, elem_classes=hidden)
                result_json = gr.Textbox(label="Result data", elem_id="easydrag_result_json",
                                         elem_classes=hidden)
                with gr.Row(elem_id="easydrag_result_buttons") as buttons_row:
                    save = gr.Button("Save", elem_id="easydrag_save")
                infotext = gr.Textbox(label="Generation parameters", elem_id="easydrag_infotext",
                                      lines=3, interactive=False)
        source_info = gr.Textbox(label="Source infotext facts", elem_id="easydrag_source_info",
                                 elem_classes=hidden)
        tab = EasyDragTab(blocks, image, prompt, negative, points_json, mask_image,
                          {n: comps[n] for n in names}, run, interrupt, save, result, result_json,
                          infotext, html_info, task_id, buttons_row, source_info=source_info)
        run.click(fn=handlers.make_run(services), inputs=tab.run_inputs,
                  outputs=[result, result_json, infotext, html_info], show_progress="hidden",
                  **js_hook(run.click, services.run_js))   # the host's progress (or ours) shows instead
        # A second listener, outside the queue: the last run's error goes the moment Run is pressed.
        run.click(fn=clear_message, inputs=[], outputs=[html_info], queue=False, show_progress="hidden")
        interrupt.click(fn=services.interrupt, inputs=[], outputs=[], queue=False)
        save.click(fn=handlers.make_save(services), inputs=[result, infotext], outputs=[html_info])
        image.change(fn=handlers.make_image_change(services),
                     inputs=[image, comps["resize_long_side"]],
                     outputs=[prompt, negative, comps["resize_long_side"], source_info, comps["cfg_scale"]],
                     queue=False)
        image.upload(fn=handlers.make_image_upload(services), inputs=[image], outputs=[source_info], queue=False)
        image.upload(fn=handlers.upload_message, inputs=[image], outputs=[html_info], queue=False)
        image.change(fn=make_restore(services.parse_infotext), inputs=[image],
                     outputs=[points_json] + [comps[n] for n in names], queue=False)
        with buttons_row:
            services.on_tab_built(tab)
    return tab
