"""Command line: `python -m easydrag_ext {demo,drag,ui}` on the bundled model (no WebUI needed).

Drag parameters are generated from DragParams.FIELDS, so the CLI can never drift from
the UI, the API and the infotext.
"""
from __future__ import annotations

import argparse
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
    """'hx,hy,tx,ty;hx,hy,tx,ty' or JSON [[hx, hy, tx, ty], ...] (the front door's parser)."""
    from .front import parse_points_text

    return parse_points_text(text)


def _attach_values(argv: List[str], flags=("--points",)) -> List[str]:
    """`--points -1,2,3,4` -> `--points=-1,2,3,4`: argparse reads a leading '-' as a flag, and a
    point off the image must get the front door's message, not "expected one argument"."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] in flags and i + 1 < len(argv) and argv[i + 1].startswith("-") and argv[i + 1][1:2].isdigit():
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


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
                     help="the negative prompt of --guidance-mode prompt_cfg (kept in the infotext otherwise)")
    one.add_argument("--points", required=True, help="'hx,hy,tx,ty;...' in image pixels")
    one.add_argument("--mask", help="editable-region mask image (white = editable; used with --mask-mode user)")
    one.add_argument("--out", required=True, help="result image path (PNG, JPEG and WebP files carry the infotext)")
    add_param_flags(one)

    ui = sub.add_parser("ui", help="serve the EasyDrag tab in plain gradio on the bundled model")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=7861)

    args = parser.parse_args(_attach_values(list(sys.argv[1:] if argv is None else argv)))
    from .engine.sdp import sdp_attention
    from .front import EXIT_CODES, INTERRUPTED, DragError

    try:
        # Our own runs use SDP attention, as the WebUI's default optimisation does.
        with sdp_attention():
            return _dispatch(args)
    except DragError as e:           # the front door's one error type: its kind is the exit code
        print(f"error: {e.message}", file=sys.stderr)
        return EXIT_CODES[e.kind]
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted (Ctrl+C): nothing was written", file=sys.stderr)
        return EXIT_CODES[INTERRUPTED]


def _dispatch(args) -> int:
    if args.command == "demo":
        from .demo import run_demo

        run_demo(Path(args.out), lambda base: params_from_args(args, base))
    elif args.command == "drag":
        _run_drag(args)
    elif args.command == "ui":
        if not 1 <= args.port <= 65535:
            raise ValueError(f"--port {args.port}: give a port from 1 to 65535")
        from .bundled import load_default_model
        from .ui.standalone import launch

        bundle = load_default_model()
        print(f"model: {bundle.name}; serving on http://{args.host}:{args.port}")
        launch(bundle.adapter, host=args.host, port=args.port, defaults=bundle.params, model_name=bundle.name)
    return 0


def _run_drag(args) -> None:
    from .front import request_from_cli
    from .front.cli_host import CliHost, finish_or_fallback
    from .ui import points as point_rules

    # Everything the user typed is checked before the model loads and the drag runs, so a typo
    # in --out cannot throw a finished result away.
    host = CliHost(args.out)
    image = _open_image(args.image, "--image", "image")    # any PIL mode: the engine's one rule converts it
    mask = _open_image(args.mask, "--mask", "mask") if args.mask else None
    point_rules.parse_points(parse_points(args.points), image.size)   # inside the image, something moves
    host.check_save()
    params = params_from_args(args, host.bundle().params)
    request = request_from_cli(image, args.prompt, args.negative_prompt, args.points, mask, params)
    start = time.perf_counter()
    finished = finish_or_fallback(host, request)
    for note in finished.notes[1:-1]:               # warnings, e.g. a mask that mask mode 'auto' ignores
        print(note)
    print(f"wrote {finished.saved_path} in {time.perf_counter() - start:.1f} s; handles ended at "
          f"{[tuple(round(v, 1) for v in p) for p in finished.result.final_handles]}")


def _open_image(path: str, flag: str, role: str):
    """The file's bytes through the one decoder: the same message as the tab and the API give."""
    from .ui.imagedata import decode_bytes, read_file_bytes

    if not Path(path).is_file():
        raise FileNotFoundError(f"{flag} {path}: no such file")
    return decode_bytes(read_file_bytes(path, role), role)
