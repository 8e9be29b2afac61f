"""Command line: `python -m easydrag_ext {demo,drag,ui}` on the bundled model (no WebUI needed).

Drag parameters are generated from DragParams.FIELDS, so the CLI can never drift from
the UI, the API and the infotext.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import List, Optional

from .params import FIELDS, DragParams, field_info


def add_param_flags(parser: argparse.ArgumentParser) -> None:
    # An unset flag keeps the model's own setting (the bundle's, scaled to its image size), which
    # is not always the paper's; the help names the paper's value for reference.
    group = parser.add_argument_group("drag parameters (unset: the model's own settings)")
    for f in FIELDS:
        info = field_info(f.name)
        flag = "--" + f.name.replace("_", "-")
        group.add_argument(flag, dest=f.name, default=None, metavar=f.name.upper(),
                           help=f"{info.help} (paper: {_fmt(f.default)})")


def params_from_args(args: argparse.Namespace, base: DragParams) -> DragParams:
    given = {f.name: getattr(args, f.name) for f in FIELDS if getattr(args, f.name, None) is not None}
    return DragParams.from_dict({**base.to_dict(), **given})


def parse_points(text: str) -> List[List[float]]:
    """'hx,hy,tx,ty;hx,hy,tx,ty' or JSON [[hx, hy, tx, ty], ...]."""
    text = text.strip()
    try:
        rows = json.loads(text) if text.startswith("[") else [
            [float(v) for v in part.split(",")] for part in text.split(";") if part.strip()]
    except ValueError as e:
        raise ValueError(f"cannot read points {text!r}: {e}") from None
    if not isinstance(rows, list) or not rows or any(not isinstance(r, (list, tuple)) or len(r) != 4 for r in rows):
        raise ValueError("points must be handle/target quadruples: 'hx,hy,tx,ty;...'")
    try:
        return [[float(v) for v in r] for r in rows]
    except (TypeError, ValueError):      # JSON nulls, strings, nested lists
        raise ValueError(f"points must be numbers: {text!r}") from None


def _fmt(v) -> str:
    return ",".join(map(str, v)) if isinstance(v, tuple) else str(v)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m easydrag_ext", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="drag an object on the bundled model; writes input, result, side-by-side")
    demo.add_argument("--out", default="outputs/demo", help="output folder (default: outputs/demo)")
    add_param_flags(demo)

    one = sub.add_parser("drag", help="drag points on your image with the bundled model")
    one.add_argument("--image", required=True)
    one.add_argument("--prompt", default="")
    one.add_argument("--negative-prompt", default=None,
                     help="e_neg of prompt_cfg guidance (with it, --guidance-mode auto is prompt_cfg)")
    one.add_argument("--points", required=True, help="'hx,hy,tx,ty;...' in image pixels")
    one.add_argument("--mask", help="editable-region mask image (white = editable)")
    one.add_argument("--out", required=True, help="result image path")
    add_param_flags(one)

    ui = sub.add_parser("ui", help="serve the EasyDrag tab in plain gradio on the bundled model")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=7861)

    args = parser.parse_args(argv)
    from .engine.sdp import sdp_attention

    try:
        # Our own runs use SDP attention, as the WebUI's default optimisation does.
        with sdp_attention():
            return _dispatch(args)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _dispatch(args) -> int:
    if args.command == "demo":
        from .demo import run_demo

        run_demo(Path(args.out), lambda base: params_from_args(args, base))
    elif args.command == "drag":
        _run_drag(args)
    elif args.command == "ui":
        from .bundled import load_default_model
        from .ui.standalone import launch

        bundle = load_default_model()
        print(f"model: {bundle.name}; serving on http://{args.host}:{args.port}")
        launch(bundle.adapter, host=args.host, port=args.port, defaults=bundle.params, model_name=bundle.name)
    return 0


def _run_drag(args) -> None:
    from PIL import Image

    from . import drag
    from .bundled import load_default_model

    # Everything the user typed is checked before the model loads and the drag runs, so a typo
    # in --out cannot throw a finished result away.
    points = parse_points(args.points)
    image = _open_image(args.image, "--image").convert("RGB")     # RGBA, grey, palette: as RGB
    mask = _open_image(args.mask, "--mask") if args.mask else None
    if Path(args.out).suffix.lower() not in Image.registered_extensions():
        raise ValueError(f"--out {args.out}: give a file name ending in an image type, e.g. .png")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    bundle = load_default_model()
    params = params_from_args(args, bundle.params)
    start = time.perf_counter()
    result = drag(bundle.adapter, image, args.prompt, [p[:2] for p in points], [p[2:] for p in points],
                  mask=mask, params=params, negative_prompt=args.negative_prompt)
    result.image.save(args.out)
    print(f"wrote {args.out} in {time.perf_counter() - start:.1f} s; handles ended at "
          f"{[tuple(round(v, 1) for v in p) for p in result.final_handles]}")


def _open_image(path: str, flag: str):
    from PIL import Image, UnidentifiedImageError

    if not Path(path).is_file():
        raise FileNotFoundError(f"{flag} {path}: no such file")
    try:
        image = Image.open(path)
        image.load()
    except (UnidentifiedImageError, OSError) as e:
        raise ValueError(f"{flag} {path}: not an image PIL can read ({e})") from None
    return image
