"""The tab's event handlers, host-free: every host difference goes through DragServices."""
from __future__ import annotations

import html
import logging

import gradio as gr
from PIL import Image

from ..front import INTERRUPTED, SAVE_FAILED, DragError, Finished, classify, request_from_ui, run_and_finish
from ..front.source_info import from_json as source_from_json
from ..front.source_info import from_parsed as source_from_parsed
from ..infotext import has_easydrag, read_infotext
from ..params import FIELDS
from .imagedata import UnreadableUpload
from .param_widgets import params_from_values
from .points import result_json
from .tab_host import DragServices, error_html, resize_for_policy

log = logging.getLogger("easydrag")

RUN_EXTRA_OUTPUTS = [None, "", ""]   # result image, result json, infotext (on error)


def make_run(services: DragServices):
    """Run handler: (task_id, image, prompt, negative, points_json, mask_image, *params[, source_info])
    -> (result image, result json, infotext, html).  `source_info`: the image's infotext facts (JSON).
    Only translates the front door's answer."""
    def run(task_id, image, prompt, negative_prompt, points_json, mask_image, *values):
        param_values, rest = values[:len(FIELDS)], values[len(FIELDS):]
        try:
            params = params_from_values(param_values)
            source = source_from_json(rest[0]) if rest else None
            request = request_from_ui(image, prompt, negative_prompt, points_json, mask_image, params,
                                      source=source)
            finished = run_and_finish(services, request)
        except DragError as e:
            if e.kind == SAVE_FAILED:       # the drag is kept: shown with the error
                return _shown(e.finished, error_html(e.message))
            if e.kind == INTERRUPTED:
                return None, "", "", "<div class='easydrag-info'>Interrupted: nothing was saved.</div>"
            return None, "", "", error_html(e.message)
        except ValueError as e:             # the parameter widgets
            return None, "", "", error_html(classify(e).message)
        return _shown(finished)

    return services.wrap_handler(run, RUN_EXTRA_OUTPUTS)


def _shown(finished: Finished, error: str = ""):
    result, request = finished.result, finished.request
    body = "<br>".join(html.escape(n) for n in finished.notes)
    return (result.image, result_json(result.final_handles, result.mask_heat, request.size),
            finished.infotext, f"{error}<div class='easydrag-info'>{body}</div>")


def make_save(services: DragServices):
    def save(image, infotext):
        if image is None:
            return error_html("nothing to save: run a drag first")
        if not isinstance(image, Image.Image):
            return error_html("the result is not an image")
        seed = services.parse_infotext(infotext or "").get("Seed", 0)
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            seed = 0
        try:
            path = services.save(image.convert("RGB"), infotext or "", seed)
        except Exception as e:
            log.exception("EasyDrag: saving failed")
            return error_html(f"saving failed: {type(e).__name__}: {e}")
        return f"<div class='easydrag-info'>Saved to {html.escape(str(path))}</div>"
    return save


def make_image_change(services: DragServices):
    """New input image: prompts, CFG scale and source info from its infotext, resize from the policy."""
    def changed(image, resize_long_side, *_more):
        if not isinstance(image, Image.Image):
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        text = read_infotext(image)       # a PNG's text chunk or a JPEG/WebP's EXIF
        parsed = {}
        if isinstance(text, str) and text.strip():
            try:
                parsed = services.parse_infotext(text)
            except Exception:  # a foreign or broken chunk must not block loading the image
                log.warning("EasyDrag: could not read the image's infotext", exc_info=True)
        prompt = gr.update(value=parsed["Prompt"]) if parsed.get("Prompt") else gr.update()
        negative = (gr.update(value=parsed["Negative prompt"]) if parsed.get("Negative prompt")
                    else gr.update())
        if has_easydrag(parsed):   # an EasyDrag result: its own params are pasted, not the policy
            resize = gr.update()
        else:
            resize = gr.update(value=resize_for_policy(services.resize_policy(), image.size,
                                                       resize_long_side or 0))
        # only set, never cleared here: a "Send to" paste fills the same fields in its own event
        source = source_from_parsed(parsed)
        source_update = gr.update(value=source.to_json()) if source is not None else gr.update()
        cfg = gr.update(value=source.cfg_scale) if source is not None and source.cfg_scale is not None else gr.update()
        return prompt, negative, resize, source_update, cfg
    return changed


def make_image_upload(services: DragServices):
    """An uploaded image without a generation infotext: forget the previous image's source info."""
    def uploaded(image):
        text = read_infotext(image) if isinstance(image, Image.Image) else None
        try:
            parsed = services.parse_infotext(text) if isinstance(text, str) and text.strip() else {}
        except Exception:
            parsed = {}
        return gr.update() if source_from_parsed(parsed) is not None else gr.update(value="")
    return uploaded


def upload_message(image) -> str:
    """An upload the decoder refused: its message next to Run at once (Run would say the same);
    a readable one clears the last message."""
    return error_html(image.message) if isinstance(image, UnreadableUpload) else ""
