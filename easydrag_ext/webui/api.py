"""EasyDrag HTTP API, added to the WebUI's FastAPI app in `on_app_started`.

`POST /easydrag/v1/drag`, `GET /easydrag/v1/schema`, `GET /easydrag/v1/version`.
Plain `def` handlers (FastAPI runs them in its thread pool) that take the WebUI's
queue lock and begin/end `shared.state`, so the API and the UI share one GPU queue,
progress (`/sdapi/v1/progress`) and interrupt (`/sdapi/v1/interrupt`).
"""
from __future__ import annotations

import secrets
from typing import Dict, Optional

from fastapi import Depends, HTTPException
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from .. import __version__
from ..engine import inputs
from ..front import HTTP_STATUS, SAVE_FAILED, DragError, classify, request_from_api, run_and_finish
from ..front.source_info import from_parsed as source_from_parsed
from ..infotext import FIELD_KEYS, POINTS_KEY, read_infotext
from ..params import FIELDS
from ..ui import imagedata
from ..ui.gradio_compat import gradio_version
from . import compat
from .api_models import DragRequestBody, DragResponseBody
from .webui_host import WebuiServices, default_params

PREFIX = "/easydrag/v1"


def _credentials() -> Optional[Dict[str, str]]:
    from modules import shared

    spec = getattr(shared.cmd_opts, "api_auth", None)
    if not spec:
        return None
    creds = {}
    for pair in spec.split(","):
        user, _, password = pair.strip().partition(":")
        creds[user] = password
    return creds


def _dependencies():
    """The host's --api-auth (HTTP basic), when it is set."""
    creds = _credentials()
    if not creds:
        return []

    def auth(credentials: HTTPBasicCredentials = Depends(HTTPBasic())):
        expected = creds.get(credentials.username)
        if expected is not None and secrets.compare_digest(credentials.password, expected):
            return True
        raise HTTPException(status_code=401, detail="Incorrect username or password",
                            headers={"WWW-Authenticate": "Basic"})
    return [Depends(auth)]


def schema() -> dict:
    fields = []
    defaults = default_params().to_dict()      # this host's: low_vram follows --medvram/--lowvram
    for f in FIELDS:
        info = f.metadata["info"]
        default = defaults[f.name]
        fields.append({"name": f.name, "label": info.label, "help": info.help, "default": default,
                       "minimum": info.minimum, "maximum": info.maximum, "step": info.step,
                       "choices": list(info.choices) if info.choices else None,
                       "infotext_key": FIELD_KEYS[f.name]})
    return {"params": fields, "points": "[[hx, hy, tx, ty], ...] in input-image pixels",
            "points_infotext_key": POINTS_KEY,
            "limits": {"min_image_side": inputs.MIN_SIDE, "max_image_side": inputs.MAX_SIDE,
                       "max_image_pixels": inputs.MAX_PIXELS, "max_points": inputs.MAX_POINTS,
                       "max_image_bytes": imagedata.MAX_IMAGE_BYTES},
            "error_kinds": HTTP_STATUS}


def version() -> dict:
    return {"version": __version__, "forge": compat.is_forge(), "gradio": gradio_version()}


def drag(body: DragRequestBody) -> DragResponseBody:
    """Decode the body, then the one front door; a DragError's kind picks the HTTP status."""
    from modules import shared
    from modules.call_queue import queue_lock

    services = WebuiServices()
    try:
        params = default_params(body.params)
        image = imagedata.decode_image(body.image, what="image")
        mask = imagedata.decode_image(body.mask, what="mask") if body.mask else None
        source = _source(services, body.infotext, image)
        request = request_from_api(image, body.prompt, body.negative_prompt, body.points, mask, params,
                                   source=source, added_prompt=body.added_prompt, clip_skip=body.clip_skip)
    except ValueError as e:
        raise HTTPException(status_code=HTTP_STATUS[classify(e).kind], detail=str(e)) from None

    error = None
    with queue_lock:
        shared.state.begin(job="easydrag-api")
        try:
            finished = run_and_finish(services, request, save=body.save)
        except DragError as e:
            if e.kind != SAVE_FAILED:
                raise HTTPException(status_code=HTTP_STATUS[e.kind], detail=e.message) from None
            finished, error = e.finished, e.message     # the result still goes back
        finally:
            shared.state.end()

    result = finished.result
    heat = None
    if body.include_mask_heat and result.mask_heat is not None:
        heat = imagedata.heat_to_data_url(result.mask_heat).split(",", 1)[1]
    return DragResponseBody(
        image=imagedata.encode_png(result.image), info=finished.infotext, saved_path=finished.saved_path,
        final_points=[[float(x), float(y)] for x, y in result.final_handles],
        iterations=int(result.iterations), arrived=[bool(a) for a in result.arrived],
        mask_heat=heat, timings={k: float(v) for k, v in (result.timings or {}).items()},
        warnings=list(result.notes) + list(request.warnings), error=error,
        model_mismatch=result.model_mismatch)


def _source(services, infotext, image):
    """The image's infotext facts: the body's `infotext`, else the image's own (PNG chunk or EXIF)."""
    text = infotext
    if text is None:
        text = read_infotext(image)
    if not isinstance(text, str) or not text.strip():
        return None
    return source_from_parsed(services.parse_infotext(text))


def live() -> dict:
    """Handle positions of the running drag (the tab's canvas polls this during a run)."""
    from .webui_host import live_status

    return dict(live_status)


ROUTES = ((f"{PREFIX}/drag", drag, ["POST"], DragResponseBody),
          (f"{PREFIX}/schema", schema, ["GET"], None),
          (f"{PREFIX}/version", version, ["GET"], None))
# Polled by the WebUI page itself, which has no --api-auth credentials; like the host's
# /internal/progress it carries progress only (step counts and point coordinates).
PAGE_ROUTES = ((f"{PREFIX}/live", live, ["GET"], None),)


def on_app_started(_demo, app) -> None:
    """Add the routes; on an in-process reload, replace the old ones instead of duplicating."""
    paths = {r[0] for r in ROUTES + PAGE_ROUTES}
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in paths]
    deps = _dependencies()
    for routes, route_deps in ((ROUTES, deps), (PAGE_ROUTES, [])):
        for path, endpoint, methods, model in routes:
            kw = {"response_model": model} if model else {}
            app.add_api_route(path, endpoint, methods=methods, dependencies=route_deps, **kw)
