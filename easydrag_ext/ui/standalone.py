"""The EasyDrag tab as its own gradio app on a fixed model (`python -m easydrag_ext ui`).

Implements DragServices without the WebUI: one lock instead of the queue lock, a stop
flag instead of shared.state, PNG files with infotext in an output folder.  Live progress
goes the way it goes in the WebUI: the drag reports into `live`, the page polls it at
GET /easydrag/v1/live (javascript/easydrag_progress.js) and moves the handles on the canvas.
The page says what it is: title, the loaded model and what it can do, one-click examples,
and a notice when an image is far outside what the model was trained on.
"""
from __future__ import annotations

import html
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from ..engine.events import PHASE_VERBS
from ..front import DragRequest, execute
from ..front.saving import check_folder, save_numbered
from ..params import DragParams
from . import assets
from .gradio_compat import js_hook
from .tab_host import DragServices
from .tab import build_tab

log = logging.getLogger("easydrag")

LIVE_PATH = "/easydrag/v1/live"
# Working size far below the upload and many colours at that size: not a scene this
# kind of small synthetic model has seen (ShapesDrag scenes have 15-60 colours at 32 px).
FAR_SIZE_FACTOR = 4
PHOTO_COLOURS = 300


@dataclass(frozen=True)
class Example:
    image: Image.Image
    prompt: str
    points: List[List[float]]       # [[hx, hy, tx, ty], ...]


class StandaloneServices(DragServices):
    run_js = "easydrag_standalone_submit"   # javascript/easydrag_progress.js

    def __init__(self, adapter, output_dir: str = os.path.join("outputs", "easydrag-images"),
                 save_automatically: bool = True, model_hash: Optional[str] = None,
                 model_name: Optional[str] = None):
        self.adapter = adapter
        self._model_name = model_name
        self.output_dir = output_dir
        self._save_automatically = save_automatically
        self._model_hash = model_hash
        self._lock = threading.Lock()        # one drag at a time, like the WebUI's queue lock
        self._stop = threading.Event()
        self.live: dict = {"running": False}
        self.examples_dir: Optional[str] = None
        from .. import InversionCache

        self.cache = InversionCache(max_entries=1)   # moving points on the same image: no re-inversion

    def run_drag(self, request: DragRequest):
        with self._lock:
            self._stop.clear()
            self.live = {"running": True, "phase": "Starting", "step": 0, "steps": 0, "text": "Starting\u2026",
                         "fraction": 0.0, "size": list(request.size), "final_handles": []}
            try:
                return execute(self.adapter, request, progress=self._progress,
                               should_stop=self._stop.is_set, cache=self.cache,
                               model_key=self._model_hash or "")
            finally:
                self.live = dict(self.live, running=False)

    def _progress(self, event) -> None:
        # text: the line the page shows; fraction: of the whole drag's estimated work (the bar)
        self.live = dict(self.live, phase=PHASE_VERBS.get(event.phase, event.phase), step=int(event.step),
                         steps=int(event.total), text=event.text, fraction=round(float(event.fraction), 4),
                         final_handles=[[round(float(x), 2), round(float(y), 2)] for x, y in event.handles])
        log.info("EasyDrag %s %d/%d", event.phase, event.step, event.total)

    def live_status(self) -> dict:
        """GET /easydrag/v1/live: the running drag's phase, step and handle positions."""
        return dict(self.live)

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

    def model_name(self) -> Optional[str]:
        return self._model_name

    def check_save(self) -> None:
        check_folder(self.output_dir)

    def save(self, image: Image.Image, infotext: str, seed: int) -> str:
        # the file number is reserved atomically: concurrent saves never overwrite each other
        return save_numbered(self.output_dir, image, infotext, seed)


def shapes_examples(first: int = 0, n: int = 4) -> List[Example]:
    """ShapesDrag scenes with their pair set (held-out tasks and the README demo)."""
    from ..bundled.demo_drag import demo_drag
    from ..bundled.tasks import make_task

    image, prompt, handles, targets = demo_drag()
    out = [Example(image, prompt, [[*handles[0], *targets[0]]])]
    for i in range(first, first + n - 1):
        t = make_task(i)
        out.append(Example(t.image(), t.scene.caption(), [[*t.handle, *t.target]]))
    return out


def domain_notice(image, working_size: int, synthetic: bool) -> str:
    """HTML warning for an image far outside the model's size or kind ("" when it fits)."""
    if not isinstance(image, Image.Image) or working_size <= 0:
        return ""
    w, h = image.size
    notes = []
    if max(w, h) > FAR_SIZE_FACTOR * working_size:
        notes.append(f"this {w}×{h} image will be dragged at {working_size} px on its long side "
                     "(the model's size), so fine detail is lost")
    if synthetic:
        small = image.convert("RGB").copy()
        small.thumbnail((working_size, working_size), Image.Resampling.BOX)
        colours = len(np.unique(np.asarray(small).reshape(-1, 3), axis=0))
        if colours > PHOTO_COLOURS:
            notes.append(f"it looks like a photo ({colours} colours at {working_size} px); the model only "
                         "knows flat synthetic shapes, so expect mush, not a drag")
    if not notes:
        return ""
    return ("<div class='easydrag-warning'><b>Outside this model's range:</b> " + html.escape("; ".join(notes))
            + ". Install EasyDrag in the WebUI to drag your own images with an SD-1.5 checkpoint.</div>")


def about_html(model_name: Optional[str], working_size: int, synthetic: bool) -> str:
    model = html.escape(model_name or "a fixed model")
    can = (f"It knows {working_size}×{working_size} synthetic scenes (discs, squares, triangles, stars on "
           "simple backgrounds) and moves those, nothing else; install EasyDrag in the WebUI for your own "
           "images." if synthetic else f"It works at {working_size} px on the long side." if working_size else "")
    return (f"<h1>EasyDrag</h1><p>Drag a point of an image to a target (the CVPR 2024 method) on one "
            f"fixed model: <b>{model}</b>. {html.escape(can)} Open an image on the canvas or click an "
            "example, press on a point and drag to its target, then Run.</p>")


def _example_files(examples: Sequence[Example]) -> Tuple[str, List[str]]:
    """Thumbnails on disk (gradio serves dataset samples as files): (folder, paths)."""
    folder = tempfile.mkdtemp(prefix="easydrag-examples-")
    paths = []
    for i, ex in enumerate(examples):
        path = os.path.join(folder, f"example{i}.png")
        ex.image.save(path)
        paths.append(path)
    return folder, paths


def example_outputs(examples: Sequence[Example], index) -> tuple:
    """A click on example `index` -> (image, prompt, points JSON) for the tab."""
    ex = examples[int(index)]
    payload = {"points": ex.points, "mask": None, "size": list(ex.image.size)}
    return ex.image, ex.prompt, json.dumps(payload)


def build_app(adapter, defaults: Optional[DragParams] = None, model_name: Optional[str] = None,
              examples: Optional[Sequence[Example]] = None, synthetic: Optional[bool] = None,
              **services_kw):
    """The Blocks app (not launched) with the canvas scripts and CSS, and its services.

    `defaults`: the parameter values the tab starts with (the engine's when None);
    `model_name`: shown in the header; `examples`: one-click inputs (ShapesDrag scenes when
    the model is the ShapesDrag one); `synthetic`: the model knows only synthetic scenes
    (default: when the name says ShapesDrag), which turns on the photo notice.
    """
    import gradio as gr

    defaults = defaults or DragParams()
    shapes = "shapesdrag" in (model_name or "").lower()
    synthetic = shapes if synthetic is None else synthetic
    if examples is None and shapes:
        examples = shapes_examples()
    working = int(defaults.resize_long_side)
    services = StandaloneServices(adapter, model_name=model_name, **services_kw)
    with gr.Blocks(title="EasyDrag", css=assets.css(), analytics_enabled=False) as app:
        with gr.Row(elem_id="easydrag_header", equal_height=False):
            with gr.Column(scale=3, elem_id="easydrag_about_col"):
                gr.HTML(about_html(model_name, working, synthetic), elem_id="easydrag_about")
                notice = gr.HTML(elem_id="easydrag_domain_notice")
            examples_col = gr.Column(scale=2, elem_id="easydrag_examples", min_width=240)
        tab = build_tab(services, defaults=defaults)
        if examples:
            folder, paths = _example_files(examples)
            services.examples_dir = folder       # launch() lets gradio serve the thumbnails
            with examples_col:
                chooser = gr.Dataset(components=[gr.Image(render=False)], samples=[[p] for p in paths],
                                     type="index", label="Examples: click one, then Run (pair already set)",
                                     samples_per_page=8, elem_id="easydrag_examples_set")
            chooser.click(fn=lambda i: example_outputs(examples, i), inputs=[chooser],
                          outputs=[tab.image, tab.prompt, tab.points_json], queue=False)
        tab.image.change(fn=lambda im: domain_notice(im, working, synthetic), inputs=[tab.image],
                         outputs=[notice], queue=False)
        app.load(fn=None, inputs=None, outputs=None, **js_hook(app.load, assets.loader_js()))
    return app, tab, services


def live_route(services: StandaloneServices):
    from fastapi.routing import APIRoute

    return APIRoute(LIVE_PATH, services.live_status, methods=["GET"])


def launch(adapter, host: str = "127.0.0.1", port: int = 7861, output_dir: Optional[str] = None,
           save_automatically: bool = True, defaults: Optional[DragParams] = None,
           model_name: Optional[str] = None, **kw):
    """Serve the EasyDrag tab on `adapter` at http://host:port; returns the launched Blocks.

    Blocks until closed unless `prevent_thread_lock=True`; other keyword arguments go to
    `gradio.Blocks.launch` too.
    """
    services_kw = {"save_automatically": save_automatically}
    if output_dir:
        services_kw["output_dir"] = output_dir
    app, _tab, services = build_app(adapter, defaults=defaults, model_name=model_name, **services_kw)
    app.queue(concurrency_count=2)   # Interrupt must get through while a drag runs
    app_kwargs = dict(kw.pop("app_kwargs", None) or {})
    app_kwargs["routes"] = list(app_kwargs.get("routes") or []) + [live_route(services)]
    if services.examples_dir:
        kw["allowed_paths"] = list(kw.get("allowed_paths") or []) + [services.examples_dir]
    app.launch(server_name=host, server_port=port, app_kwargs=app_kwargs, **kw)
    return app
