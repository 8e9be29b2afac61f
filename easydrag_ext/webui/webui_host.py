"""DragServices on the WebUI: queue lock, shared.state progress/interrupt, saving, the model.

Used by both the tab (through `wrap_gradio_gpu_call`) and the API (which takes the
queue lock and begins/ends the state itself), so a drag runs the same way from either.
"""
from __future__ import annotations

from typing import Callable, Optional

from PIL import Image

from ..engine.events import PHASE_VERBS
from ..engine.inputs import DragRefused
from ..front import DragRequest, execute
from ..front.saving import check_folder, format_for
from ..infotext import parse_infotext
from ..ui.preview import draw_points
from ..ui.tab_host import DragServices
from . import compat, settings
from .checkpoint import mismatch_notes, model_mismatch
from .lowvram_placement import unet_on_device
from .networks import host_conditioning



def _new_cache():
    from .. import InversionCache

    return InversionCache(max_entries=1)


# The last inversion (latents, reference states, F0), reused when the same image is dragged
# again with other points; keyed by model hash and image, cleared on every checkpoint load and
# unload (compat.watch_unload) and kept on the CPU under --medvram/--lowvram.
inversion_cache = _new_cache()


def clear_caches() -> None:
    inversion_cache.clear()


# Current handle positions of the running drag, for the canvas's live view
# (GET /easydrag/v1/live, polled by javascript/easydrag_webui.js during a run).
live_status: dict = {"running": False}

# The WebUI's progress bar reads progress = job_no/job_count + sampling_step/sampling_steps/job_count
# and ETA = elapsed/progress - elapsed (modules/progress.py).  A drag is one job whose "steps"
# are thousandths of its estimated work (engine/events.py WorkBudget, weighted by phase cost),
# so the bar and the ETA advance with time; counting phases as jobs made the ETA climb
# through the long stretches.  The phase and its own step count are in textinfo.
PROGRESS_UNITS = 1000


def default_params(given=None):
    """DragParams for this host: `low_vram` follows --medvram/--lowvram unless `given` sets it."""
    from collections.abc import Mapping

    from ..params import DragParams

    if given is not None and not isinstance(given, Mapping):
        return DragParams.from_dict(given)      # its one message for a non-object
    given = dict(given or {})
    given.setdefault("low_vram", compat.low_vram_requested())
    return DragParams.from_dict(given)


class ModelNotSupported(DragRefused):
    """The loaded checkpoint cannot be dragged (SDXL, v-prediction, Forge back end)."""


class WebuiServices(DragServices):
    run_js = "submit_easydrag"

    def wrap_handler(self, fn: Callable, extra_outputs: list) -> Callable:
        from modules.call_queue import wrap_gradio_gpu_call

        return wrap_gradio_gpu_call(fn, extra_outputs=extra_outputs)

    # -- running ----------------------------------------------------------------------------
    def run_drag(self, request: DragRequest):
        """Run under the caller's queue lock and state.begin(); reports into shared.state."""
        from modules import devices, shared
        from .. import LdmAdapter

        sd_model = shared.sd_model
        reason = compat.unsupported_reason(sd_model)
        if reason:
            raise ModelNotSupported(reason)
        state = shared.state
        state.job = "EasyDrag"
        state.job_count = 1
        state.job_no = 0
        state.sampling_step = 0
        state.sampling_steps = PROGRESS_UNITS
        state.textinfo = "EasyDrag: starting"
        progress = self._progress(state, request, int(settings.get("easydrag_preview_every") or 0))
        live_status.clear()
        live_status.update(running=True, size=list(request.size), phase="Starting", text="EasyDrag: starting",
                           fraction=0.0)

        def should_stop() -> bool:
            return bool(state.interrupted or state.skipped)

        mismatch = model_mismatch(request.source)
        try:
            inversion_cache.offload = compat.low_vram_mode(sd_model)   # --medvram/--lowvram: on the CPU
            with unet_on_device(sd_model, devices.device, compat.lowvram_module()):
                adapter = LdmAdapter(sd_model, host=compat.host_precision())
                with host_conditioning(request) as host:     # LoRAs, prompt schedule, clip skip
                    result = execute(adapter, host.request, progress=progress, should_stop=should_stop,
                                     cache=inversion_cache,
                                     model_key=(compat.model_hash(sd_model) or "") + host.key)
                result.notes = mismatch_notes(mismatch) + host.notes
                result.infotext_extra, result.model_mismatch = dict(host.infotext), mismatch
        finally:
            live_status["running"] = False
        state.textinfo = "EasyDrag: done"
        return result

    @staticmethod
    def _progress(state, request: DragRequest, preview_every: int):
        def report(event) -> None:
            phase = event.phase
            state.job_no, state.sampling_steps = 0, PROGRESS_UNITS
            state.sampling_step = max(state.sampling_step, int(event.fraction * PROGRESS_UNITS))
            text = event.text
            # the same fields as the standalone app's live status (phase by its verb)
            live_status.update(phase=PHASE_VERBS.get(phase, phase), text=text, fraction=round(float(event.fraction), 4))
            if phase == "drag":
                live_status.update(step=event.step, steps=event.total,
                                   final_handles=[[round(float(x), 2), round(float(y), 2)]
                                                  for x, y in event.handles])
            state.textinfo = text          # last: the progress API reads a consistent state
            if phase == "drag" and preview_every > 0 and event.step >= 1 and event.step % preview_every == 0:
                state.assign_current_image(draw_points(request.image, event.handles, request.targets))
        return report

    def interrupt(self) -> None:
        from modules import shared

        shared.state.interrupt()

    # -- saving and infotext ------------------------------------------------------------------
    def save(self, image: Image.Image, infotext: str, seed: int) -> str:
        from modules import images, shared

        # p=None: the filename pattern gets seed and prompt from these arguments instead
        prompt = parse_infotext(infotext).get("Prompt") or None
        fullfn, _txt = images.save_image(image, settings.output_dir(), "", seed=seed, prompt=prompt,
                                         extension=shared.opts.samples_format or "png",
                                         info=infotext, p=None)
        return fullfn

    def check_save(self) -> None:
        """The output folder and the host's samples_format, before the drag (else it could be lost)."""
        from modules import shared

        ext = shared.opts.samples_format or "png"
        format_for(f"result.{ext}")
        check_folder(settings.output_dir())

    def save_automatically(self) -> bool:
        return bool(settings.get("easydrag_save_automatically"))

    def model_hash(self) -> Optional[str]:
        from modules import shared

        return compat.model_hash(shared.sd_model)

    def model_name(self) -> Optional[str]:
        from modules import shared

        info = getattr(shared.sd_model, "sd_checkpoint_info", None)
        return getattr(info, "name_for_extra", None) or None

    def parse_infotext(self, text: str) -> dict:
        return compat.infotext_utils().parse_generation_parameters(text)

    def resize_policy(self) -> str:
        return str(settings.get("easydrag_resize_policy"))

    def on_tab_built(self, tab) -> None:
        from .checkpoint import add_checkpoint_button
        from .send_to import register_tab_bindings

        register_tab_bindings(tab)
        add_checkpoint_button(tab)
