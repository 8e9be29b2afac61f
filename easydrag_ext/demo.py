"""The README's main job: one drag on the bundled model, written as input, result and side-by-side."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from PIL import Image

from .front import request_from_api
from .front.cli_host import CliHost, finish_or_fallback
from .front.saving import atomic_save
from .params import DragParams
from .ui.preview import draw_points


def run_demo(out: Path, make_params: Callable[[DragParams], DragParams]) -> None:
    """Through the front door like `drag`: the folder is checked before the model loads, the
    result is written atomically with its infotext (or to a printed fallback path)."""
    host = CliHost(out / "result.png", progress=_printer())
    host.check_save()
    bundle = host.bundle()
    image, prompt, handles, targets = bundle.demo()
    params = make_params(bundle.params)
    print(f"model: {bundle.name}")
    print(f"drag {handles} -> {targets} on a {image.width}x{image.height} image, prompt {prompt!r}")
    request = request_from_api(image, prompt, "", [[*h, *t] for h, t in zip(handles, targets)], None, params)
    start = time.perf_counter()
    finished = finish_or_fallback(host, request)
    result = finished.result
    took = time.perf_counter() - start
    scale = max(1, 256 // max(image.size))
    atomic_save(image, out / "input.png")
    left = draw_points(image, handles, targets, scale)
    right = draw_points(result.image, result.final_handles, targets, scale)
    side = Image.new("RGB", (left.width * 2 + 8, left.height), (255, 255, 255))
    side.paste(left, (0, 0))
    side.paste(right, (left.width + 8, 0))
    atomic_save(side, out / "side_by_side.png")
    print(f"\ndone in {took:.1f} s ({result.iterations} drag iterations); handles ended at "
          f"{[tuple(round(v, 1) for v in p) for p in result.final_handles]}, arrived {result.arrived}")
    print(f"wrote {out / 'input.png'}, {out / 'result.png'}, {out / 'side_by_side.png'}")


def _printer():
    last = {}

    def show(event):
        if last.get("phase") != event.phase:
            print(f"\n{event.phase}:", end="", flush=True)
            last["phase"] = event.phase
        if event.step == 0:             # a phase's start: its name is the news, not "0/N"
            return
        print(f" {event.step}/{event.total}" if event.step % 10 == 0 or event.step == event.total else "",
              end="", flush=True)

    return show
