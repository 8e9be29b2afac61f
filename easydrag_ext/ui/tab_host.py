"""What the EasyDrag tab needs from whoever hosts it (the WebUI or the standalone app).

The tab builder only talks to a `DragServices`; `easydrag_ext.webui.webui_host` implements
it on the WebUI (queue lock, shared.state, images.save_image, the loaded checkpoint) and
`easydrag_ext.ui.standalone` on a plain gradio app with a fixed model.
"""
from __future__ import annotations

import html
import logging
from typing import Callable, Dict, Optional

from ..front.host import Host
from ..front.request import DragRequest
from ..infotext import parse_infotext

log = logging.getLogger("easydrag")

RESIZE_POLICIES: Dict[str, str] = {
    "auto": "Native size if both sides are multiples of 64 and the long side is at most 768, else long side 512",
    "512": "Always long side 512",
    "keep": "Keep the value in the field",
}


def resize_for_policy(policy: str, size, current: int) -> int:
    """The `resize_long_side` a freshly loaded image of `size` = (w, h) gets."""
    w, h = size
    if policy == "auto":
        return 0 if (w % 64 == 0 and h % 64 == 0 and max(w, h) <= 768) else 512
    if policy == "512":
        return 512
    return int(current)


def error_html(message: str) -> str:
    return f"<div class='error easydrag-error'>{html.escape(str(message))}</div>"


class DragServices(Host):
    """Base class of the tab's hosts; the defaults are right for a host without a queue or job state.

    `run_drag`, `check_save`, `save`, `save_automatically`, `model_hash` and `version` are the
    `front.Host` that `run_and_finish` drives; the rest is what the tab needs besides."""

    #: name of a global JS function that the Run click passes its inputs through (or None)
    run_js: Optional[str] = None

    def wrap_handler(self, fn: Callable, extra_outputs: list) -> Callable:
        """Wrap a model-using handler whose last output is HTML: errors become that HTML."""
        def wrapped(*args):
            try:
                return tuple(fn(*args))
            except Exception as e:  # unexpected: show it, keep the app alive, log the trace
                log.exception("EasyDrag run failed")
                return tuple(extra_outputs) + (error_html(f"{type(e).__name__}: {e}"),)
        return wrapped

    def run_drag(self, request: DragRequest):
        """Run one drag with progress reporting and interrupt polling; returns a DragResult."""
        raise NotImplementedError

    def interrupt(self) -> None:
        raise NotImplementedError

    def parse_infotext(self, text: str) -> dict:
        return parse_infotext(text)

    def resize_policy(self) -> str:
        return "auto"

    def on_tab_built(self, tab) -> None:
        """Called once the tab's components exist (the WebUI registers paste fields here)."""
