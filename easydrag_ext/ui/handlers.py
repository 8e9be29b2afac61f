"""The tab's event handlers, host-free: every host difference goes through DragServices."""
from __future__ import annotations

import html
import logging

import gradio as gr
from PIL import Image

from ..infotext import build_infotext, has_easydrag
from ..params import FIELDS
from .param_widgets import params_from_values
from .points import result_json
from .request import is_nan_error, nan_message, request_from_ui
from .source_info import from_json as source_from_json
from .source_info import from_parsed as source_from_parsed
from .services import DragServices, error_html, resize_for_policy

log = logging.getLogger("easydrag")

RUN_EXTRA_OUTPUTS = [None, "", ""]   # result image, result json, infotext (on error)


def make_run(services: DragServices):
    """Run handler: (task_id, image, prompt, negative, points_json, mask_image, *params[, source_info])
    -> (result image, result json, infotext, html).  `source_info`: the image's infotext facts (JSON)."""
    def run(task_id, image, prompt, negative_prompt, points_json, mask_image, *values):
        from .. import DragCancelled  # the engine; imported late so the tab builds without it
        param_values, rest = values[:len(FIELDS)], values[len(FIELDS):]
        try:
            params = params_from_values(param_values)
            source = source_from_json(rest[0]) if rest else None
            request = request_from_ui(image, prompt, negative_prompt, points_json, mask_image, params,
                                      source=source)
        except ValueError as e:
            return None, "", "", error_html(e)
        try:
            result = services.run_drag(request)
        except DragCancelled:
            return None, "", "", "<div class='easydrag-info'>Interrupted: nothing was saved.</div>"
        except ValueError as e:             # refused model, bad input the engine found
            return None, "", "", error_html(e)
        except Exception as e:
            if is_nan_error(e):
                return None, "", "", error_html(nan_message(e))
            raise
        return finish(services, request, result)

    return services.wrap_handler(run, RUN_EXTRA_OUTPUTS)


def finish(services: DragServices, request, result):
    params = getattr(result, "params", None) or request.params
    infotext = build_infotext(request.prompt, request.negative_prompt, params, request.points,
                              request.size, services.model_hash(), services.version(),
                              model_name=services.model_name(), extra=getattr(result, "infotext_extra", None))
    notes = list(getattr(result, "notes", None) or [])
    notes.append(f"{result.iterations} drag iterations; arrived: "
                 f"{sum(bool(a) for a in result.arrived)}/{len(result.arrived)}")
    if services.save_automatically():
        try:
            notes.append(f"Saved to {services.save(result.image, infotext, params.seed)}")
        except Exception as e:  # keep the result even when saving fails
            log.exception("EasyDrag: saving failed")
            notes.append(f"Saving failed: {type(e).__name__}: {e}")
    body = "<br>".join(html.escape(n) for n in notes)
    return (result.image, result_json(result.final_handles, result.mask_heat, request.size),
            infotext, f"<div class='easydrag-info'>{body}</div>")


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
    """New input image: prompts, CFG scale and source info from its PNG infotext, resize from the policy."""
    def changed(image, resize_long_side, *_more):
        if not isinstance(image, Image.Image):
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        text = image.info.get("parameters") if isinstance(image.info, dict) else None
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
        text = image.info.get("parameters") if isinstance(image, Image.Image) else None
        try:
            parsed = services.parse_infotext(text) if isinstance(text, str) and text.strip() else {}
        except Exception:
            parsed = {}
        return gr.update() if source_from_parsed(parsed) is not None else gr.update(value="")
    return uploaded
