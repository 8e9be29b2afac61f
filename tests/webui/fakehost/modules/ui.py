"""A minimal page with the host's ids: txt2img/img2img output panels, PNG Info, extension tabs."""
import gradio as gr

from modules import gradio_extensons, infotext_utils, script_callbacks
from modules.ui_components import ToolButton

txt2img_paste_fields = None
img2img_paste_fields = None


def _output_panel(tabname):
    with gr.Column(elem_id=f"{tabname}_results"):
        gallery = gr.Gallery(label="Output", show_label=False, elem_id=f"{tabname}_gallery")
        with gr.Row(elem_id=f"image_buttons_{tabname}"):
            buttons = {dest: ToolButton("x", elem_id=f"{tabname}_send_to_{dest}")
                       for dest in ("img2img", "inpaint", "extras")}
        generation_info = gr.Textbox(visible=False, elem_id=f"generation_info_{tabname}")
    for dest, button in buttons.items():
        infotext_utils.register_paste_params_button(infotext_utils.ParamBinding(
            paste_button=button, tabname=dest, source_image_component=gallery))
    return gallery, generation_info


def create_ui():
    """Build the page like the host: patched components, extension tabs, then the wiring."""
    infotext_utils.reset()
    gradio_extensons.patch()
    try:
        with gr.Blocks(analytics_enabled=False) as txt2img:
            _output_panel("txt2img")
        with gr.Blocks(analytics_enabled=False) as img2img:
            init_img = gr.Image(elem_id="img2img_image", type="pil")
            prompt = gr.Textbox(elem_id="img2img_prompt", label="Prompt")
            _output_panel("img2img")
        infotext_utils.add_paste_fields("img2img", init_img, [(prompt, "Prompt")])
        infotext_utils.add_paste_fields("inpaint", init_img, None)
        with gr.Blocks(analytics_enabled=False) as extras:
            extras_image = gr.Image(elem_id="extras_image", type="pil")
        infotext_utils.add_paste_fields("extras", extras_image, None)
        with gr.Blocks(analytics_enabled=False) as pnginfo:
            image = gr.Image(elem_id="pnginfo_image", label="Source", type="pil")
            generation_info = gr.Textbox(visible=False, elem_id="pnginfo_generation_info")
            with gr.Row():
                buttons = infotext_utils.create_buttons(["txt2img", "img2img", "inpaint", "extras"])
            for tabname, button in buttons.items():
                if tabname in infotext_utils.paste_fields:
                    infotext_utils.register_paste_params_button(infotext_utils.ParamBinding(
                        paste_button=button, tabname=tabname, source_text_component=generation_info,
                        source_image_component=image))
        interfaces = [(txt2img, "txt2img", "txt2img"), (img2img, "img2img", "img2img"),
                      (extras, "Extras", "extras"), (pnginfo, "PNG Info", "pnginfo")]
        interfaces += script_callbacks.ui_tabs_callback()
        with gr.Blocks(analytics_enabled=False) as demo:
            with gr.Tabs(elem_id="tabs"):
                for interface, label, ifid in interfaces:
                    with gr.TabItem(label, id=ifid, elem_id=f"tab_{ifid}"):
                        interface.render()
            infotext_utils.connect_paste_params_buttons()
    finally:
        gradio_extensons.unpatch()
    return demo
