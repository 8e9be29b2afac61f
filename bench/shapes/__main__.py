"""python -m bench.shapes: the ShapesDrag benchmark on the bundled model (or another weights file)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from easydrag_ext.bundled import PARAMS, Bundle, demo_drag, load_default_model
from easydrag_ext.cli import add_param_flags, params_from_args
from easydrag_ext.engine import LdmAdapter
from easydrag_ext.engine.sdp import sdp_attention

from . import run
from easydrag_ext.bundled.tasks import TUNING_FIRST_TASK


def _positive(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m bench.shapes", description=__doc__.splitlines()[0].split(": ", 1)[1])
    ap.add_argument("--tasks", type=_positive, default=40)
    ap.add_argument("--methods", default=None, help=f"comma-separated subset of {', '.join(run.METHODS)}")
    ap.add_argument("--first-task", type=int, default=0,
                    help=f"index of the first task ({TUNING_FIRST_TASK}: the tuning tasks, disjoint from the "
                         "reported 0-39)")
    ap.add_argument("--weights", default=None,
                    help="another ShapesDrag weights file of any layout, e.g. a training run's "
                         "(default: the bundled one); run with the bundle's parameters")
    add_param_flags(ap)
    return ap


def load(weights: Optional[str]) -> Bundle:
    if weights is None:
        return load_default_model()
    from research.shapes.layouts import load as load_any_layout      # a training run may be of any layout

    model = load_any_layout(Path(weights))
    return Bundle(f"ShapesDrag model, {model.layout} layout, from {weights}", LdmAdapter(model), PARAMS, demo_drag)


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        methods = args.methods.split(",") if args.methods else run.METHODS
        unknown = [m for m in methods if m not in run.METHODS]
        if unknown:
            raise ValueError(f"unknown method {unknown[0]!r}; one of {', '.join(run.METHODS)}")
        bundle = load(args.weights)
        params = params_from_args(args, bundle.params)
        print(f"ShapesDrag, {args.tasks} held-out tasks from task {args.first_task}, model: {bundle.name}", flush=True)
        with sdp_attention():      # as the WebUI's default optimisation; ldm's einsum kernel is far slower on a CPU
            rows = run.run(bundle.adapter, params, args.tasks, methods, first_task=args.first_task,
                           on_task=lambda m, i, s: print(f"  {m} task {i + 1}: MD_gt {s.md_gt:.1f}", flush=True)
                           if (i + 1) % 10 == 0 else None)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(run.table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
