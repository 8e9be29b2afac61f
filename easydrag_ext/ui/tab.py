"""The EasyDrag tab, host-free: the same Blocks in the WebUI and in the standalone app.

Element ids all start with `easydrag_` and labels are unique inside the tab (the WebUI
keys ui-config.json by label).  The canvas (javascript/) mounts in `#easydrag_canvas`
and talks to Python only through `#easydrag_points_json` and `#easydrag_result_json`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

import gradio as gr

from ..params import DragParams
from . import handlers
from .param_widgets import build_components, field_names
from .services import DragServices

HIDDEN_CLASS = "easydrag-hidden"
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

    @property
    def run_inputs(self) -> List[Any]:
        return [self.task_id, self.image, self.prompt, self.negative_prompt, self.points_json,
                self.mask_image] + [self.params[n] for n in field_names()]


def _event_kwargs(js):
    """gradio 3 calls the JS hook `_js`, gradio 4 (Forge) `js`."""
    if js is None:
        return {}
    return {"_js": js} if int(gr.__version__.split(".")[0]) < 4 else {"js": js}


def build_tab(services: DragServices, defaults: DragParams = DragParams()) -> EasyDragTab:
    """Build the tab's Blocks; event handlers go through `services`."""
    names = field_names()
    with gr.Blocks(analytics_enabled=False) as blocks:
        task_id = gr.Textbox(visible=False, elem_id="easydrag_task_id")
        with gr.Row(equal_height=False, elem_id="easydrag_main_row"):
            with gr.Column(elem_id="easydrag_input_column"):
                gr.HTML(elem_id="easydrag_canvas")
                image = gr.Image(label="Image", elem_id="easydrag_image", type="pil",
                                 image_mode=None)   # the upload as it is: engine.inputs converts it
                prompt = gr.Textbox(label="Prompt", elem_id="easydrag_prompt", lines=2,
                                    placeholder="What the image shows (filled from its infotext)")
                negative = gr.Textbox(label="Negative prompt", elem_id="easydrag_negative_prompt",
                                      lines=1, info="Kept in the infotext; the drag uses the prompt.")
                points_json = gr.Textbox(label="Points (JSON)", elem_id="easydrag_points_json",
                                         lines=2, placeholder=POINTS_HELP, elem_classes=[HIDDEN_CLASS])
                comps = build_components(["mask_mode"], defaults)
                mask_image = gr.Image(label="Mask image (optional, white = may change)",
                                      elem_id="easydrag_mask_image", type="pil", image_mode=None)
                with gr.Accordion("Drag parameters", open=False, elem_id="easydrag_params"):
                    comps.update(build_components([n for n in names if n != "mask_mode"], defaults))
                with gr.Row(elem_id="easydrag_run_row"):
                    interrupt = gr.Button("Interrupt", elem_id="easydrag_interrupt")
                    run = gr.Button("Run", variant="primary", elem_id="easydrag_run")
            with gr.Column(elem_id="easydrag_results"):
                result = gr.Image(label="Result", elem_id="easydrag_result", type="pil",
                                  interactive=False)
                result_json = gr.Textbox(label="Result data", elem_id="easydrag_result_json",
                                         elem_classes=[HIDDEN_CLASS])
                with gr.Row(elem_id="easydrag_result_buttons") as buttons_row:
                    save = gr.Button("Save", elem_id="easydrag_save")
                infotext = gr.Textbox(label="Generation parameters", elem_id="easydrag_infotext",
                                      lines=3, interactive=False)
                html_info = gr.HTML(elem_id="easydrag_html_info")
        tab = EasyDragTab(blocks, image, prompt, negative, points_json, mask_image,
                          {n: comps[n] for n in names}, run, interrupt, save, result, result_json,
                          infotext, html_info, task_id, buttons_row)
        run.click(fn=handlers.make_run(services), inputs=tab.run_inputs,
                  outputs=[result, result_json, infotext, html_info], **_event_kwargs(services.run_js))
        interrupt.click(fn=services.interrupt, inputs=[], outputs=[], queue=False)
        save.click(fn=handlers.make_save(services), inputs=[result, infotext], outputs=[html_info])
        image.change(fn=handlers.make_image_change(services),
                     inputs=[image, comps["resize_long_side"]],
                     outputs=[prompt, negative, comps["resize_long_side"]], queue=False)
        with buttons_row:
            services.on_tab_built(tab)
    return tab
