"""`run_and_finish(host, request)`: run, check, build the infotext, save; one error type.

The tab, the API and the CLI all call this and only translate its `Finished` or its
`DragError` into HTML, an HTTP answer or an exit code.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import List, Optional

from ..engine.events import DragResult
from ..infotext import build_infotext
from .errors import NAN, NAN_MESSAGE, SAVE_FAILED, DragError, classify
from .request import DragRequest

log = logging.getLogger("easydrag")


@dataclass
class Finished:
    request: DragRequest
    result: DragResult
    infotext: str
    saved_path: Optional[str] = None
    notes: List[str] = field(default_factory=list)   # one line each: iterations, warnings, where saved


def run_and_finish(host, request: DragRequest, save: Optional[bool] = None) -> Finished:
    """`save`: None follows `host.save_automatically()`.  Raises DragError; a save_failed one
    carries the Finished (with `saved_path` None), so the result is never lost."""
    save = host.save_automatically() if save is None else bool(save)
    try:
        if save:
            host.check_save()       # before the model loads: a bad output cannot waste a drag
        result = host.run_drag(request)
    except Exception as e:
        err = classify(e)
        if err is None:
            raise
        raise err from None
    if any(not (math.isfinite(x) and math.isfinite(y)) for x, y in result.final_handles):
        raise DragError(NAN, NAN_MESSAGE)
    params = result.params                  # as run: the guidance mode "auto" resolved to
    infotext = build_infotext(request.prompt, request.negative_prompt, params, request.points,
                              request.size, host.model_hash(), host.version(), model_name=host.model_name(),
                              extra=result.infotext_extra)
    notes = list(result.notes)              # the host's (networks, checkpoint)
    notes.append(f"{result.iterations} drag iterations; arrived: "
                 f"{sum(bool(a) for a in result.arrived)}/{len(result.arrived)}")
    notes += [f"Note: {w}" for w in request.warnings]
    finished = Finished(request, result, infotext, None, notes)
    if save:
        try:
            finished.saved_path = str(host.save(result.image, infotext, params.seed))
        except Exception as e:  # keep the result: the caller shows or writes it elsewhere
            log.exception("EasyDrag: saving failed")
            raise DragError(SAVE_FAILED, f"saving failed: {type(e).__name__}: {e}", finished) from None
        notes.append(f"Saved to {finished.saved_path}")
    return finished
