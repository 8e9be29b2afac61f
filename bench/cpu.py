"""Wall time per phase on the CPU: the tiny model, and the full SD-1.5 architecture at 256x256.

    python bench/cpu.py [--skip-sd15]

Prints one JSON line per case (per-phase seconds, total, peak resident memory).
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import build_model, drag_case, sdp_attention  # noqa: E402
from easydrag_ext import DragParams, LdmAdapter, drag  # noqa: E402
from easydrag_ext.bundled import load_default_model  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(name, adapter, size, params, image=None):
    img, prompt, handles, targets = image if image is not None else drag_case(*size)
    r = drag(adapter, img, prompt, handles, targets, params=params)
    line = {"case": name, "size": f"{img.width}x{img.height}", "iterations": r.iterations,
            "threads": torch.get_num_threads(),
            "seconds": {k: round(v, 3) for k, v in r.timings.items()}, "peak_rss_mb": round(peak_rss_mb())}
    print(json.dumps(line), flush=True)
    return line


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-sd15", action="store_true")
    args = ap.parse_args(argv)
    bundle = load_default_model()
    # The bundled model's own demo drag with its default parameters (the "<= 20 s" target).
    run_case(f"bundled: {bundle.name.split(' (')[0]}", bundle.adapter, None, bundle.params, bundle.demo())
    tiny = LdmAdapter(build_model("tiny"))
    run_case("tiny, 50 iterations", tiny, (64, 64),
             DragParams(resize_long_side=64, max_iterations=50, motion_step=4, snap_radius=6))
    if not args.skip_sd15:
        with sdp_attention():
            sd = LdmAdapter(build_model("sd15"))
            run_case("sd15 arch, few steps", sd, (256, 256),
                     DragParams(resize_long_side=256, inversion_steps=10, drag_step_index=7,
                                reference_steps=4, max_iterations=3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
