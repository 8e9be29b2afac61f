"""The EasyDrag tab as its own gradio app on a fixed model (`python -m easydrag_ext ui`).

Implements DragServices without the WebUI: one lock instead of the queue lock, a stop
flag instead of shared.state, PNG files with infotext in an output folder.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Optional

from PIL import Image

from ..front import DragRequest, execute
from ..front.saving import check_folder, save_numbered
from ..params import DragParams
from . import assets
from .services import DragServices
from .tab import HIDDEN_CLASS, build_tab

log = logging.getLogger("easydrag")

CSS = f".{HIDDEN_CLASS} {{ display: none !important; }}\n"


class StandaloneServices(DragServices):
    def __init__(self, adapter, output_dir: str = os.path.join("outputs", "easydrag-images"),
                 save_automatically: bool = True, model_hash: Optional[str] = None):
        self.adapter = adapter
        self.output_dir = output_dir
        self._save_automatically = save_automatically
        self._model_hash = model_hash
        self._lock = threading.Lock()        # one drag at a time, like the WebUI's queue lock
        self._stop = threading.Event()
        self.last_progress = None
        from .. import InversionCache

        self.cache = InversionCache(max_entries=1)   # moving points on the same image: no re-inversion

    def run_drag(self, request: DragRequest):
        with self._lock:
            self._stop.clear()
            return execute(self.adapter, request, progress=self._progress,
                           should_stop=self._stop.is_set, cache=self.cache, model_key=self._model_hash or "")

    def _progress(self, event) -> None:
        self.last_progress = event
        log.info("EasyDrag %s %d/%d", event.phase, event.step, event.total)

    def interrupt(self) -> None:
        self._stop.set()

    def resize_policy(self) -> str:
        # The app serves one fixed model whose working size is in the field's start value
        # (the bundled model: 32 px); the WebUI's SD-sized "auto" policy does not apply.
        return "keep"

    def save_automatically(self) -> bool:
        return self._save_automatically

    def model_hash(self) -> Optional[str]:
        return self._model_hash

    def check_save(self) -> None:
        check_folder(self.output_dir)

    def save(self, image: Image.Image, infotext: str, seed: int) -> str:
        # the file number is reserved atomically: concurrent saves never overwrite each other
        return save_numbered(self.output_dir, image, infotext, seed)


def build_app(adapter, defaults: Optional[DragParams] = None, **services_kw):
    """The Blocks app (not launched) with the canvas scripts and CSS, and its services.

    `defaults`: the parameter values the tab starts with (the engine's when None).
    """
    import gradio as gr

    services = StandaloneServices(adapter, **services_kw)
    with gr.Blocks(title="EasyDrag", css=CSS + assets.css(), analytics_enabled=False) as app:
        tab = build_tab(services, defaults=defaults or DragParams())
        app.load(fn=None, inputs=None, outputs=None, _js=assets.loader_js())
    return app, tab, services


def launch(adapter, host: str = "127.0.0.1", port: int = 7861, output_dir: Optional[str] = None,
           save_automatically: bool = True, defaults: Optional[DragParams] = None, **kw):
    """Serve the EasyDrag tab on `adapter` at http://host:port; returns the launched Blocks.

    Blocks until closed unless `prevent_thread_lock=True`; other keyword arguments go to
    `gradio.Blocks.launch` too.
    """
    services_kw = {"save_automatically": save_automatically}
    if output_dir:
        services_kw["output_dir"] = output_dir
    app, _tab, _services = build_app(adapter, defaults=defaults, **services_kw)
    app.queue(concurrency_count=2)   # Interrupt must get through while a drag runs
    app.launch(server_name=host, server_port=port, **kw)
    return app
