"""One short GPU run: the engine vs the official structure, full SD-1.5 architecture, fp16.

    python bench/gpu.py                       # on one CUDA GPU, under 5 minutes, no download
    python bench/gpu.py --device cpu --model tiny --sizes 64x64 --iterations 2   # smoke test

Random weights, fp16 UNet and VAE as the WebUI loads them, SDP attention installed the
way the WebUI installs it.  For each size it prints one JSON line per pipeline:
per-phase seconds (CUDA-synchronised), total per drag with exactly --iterations drag
iterations, and peak torch.cuda.max_memory_allocated (total and above the weights).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer, build_model, drag_case, sdp_attention  # noqa: E402
from bench.official_structure import official_drag  # noqa: E402
from easydrag_ext import DragParams, LdmAdapter, drag  # noqa: E402
from easydrag_ext.engine.geometry import plan_size, points_to_work  # noqa: E402


def gib(n: int) -> float:
    return round(n / 2 ** 30, 3)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--model", default="sd15", choices=["sd15", "tiny"])
    ap.add_argument("--sizes", default="512x512,512x768", help="WxH list")
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--skip-official", action="store_true")
    ap.add_argument("--fp32", action="store_true", help="keep fp32 weights (default: fp16 on CUDA)")
    args = ap.parse_args(argv)
    cuda = args.device.startswith("cuda")
    if cuda and not torch.cuda.is_available():
        print(json.dumps({"error": "no CUDA device"}))
        return 1
    half = cuda and not args.fp32
    with sdp_attention():
        model = build_model(args.model, args.device, half=half)
        adapter = LdmAdapter(model)
        weights = torch.cuda.memory_allocated() if cuda else 0
        info = {"device": torch.cuda.get_device_name() if cuda else "cpu", "torch": torch.__version__,
                "dtype": str(adapter.unet_dtype), "model": args.model, "weights_gib": gib(weights)}
        print(json.dumps({"setup": info}), flush=True)
        for size in args.sizes.split(","):
            w, h = (int(v) for v in size.lower().split("x"))
            long_side = max(w, h)
            params = DragParams(max_iterations=args.iterations, resize_long_side=long_side,
                                **({} if args.model == "sd15" else
                                   dict(inversion_steps=10, drag_step_index=7, reference_steps=4,
                                        motion_step=4, snap_radius=6)))
            img, prompt, handles, targets = drag_case(w, h)
            # warm-up (kernels, allocator): a short drag, not timed
            drag(adapter, img, prompt, handles, targets, params=params.replace(max_iterations=1))
            for name in ("engine", "official"):
                if name == "official" and args.skip_official:
                    continue
                if cuda:
                    torch.cuda.empty_cache()
                    torch.cuda.reset_peak_memory_stats()
                timings = {}
                with Timer(args.device) as t:
                    if name == "engine":
                        r = drag(adapter, img, prompt, handles, targets, params=params)
                        timings, iters = dict(r.timings), r.iterations
                    else:
                        plan = plan_size(w, h, long_side, 64)
                        official_drag(adapter, img, prompt, points_to_work(plan, handles),
                                      points_to_work(plan, targets), params, weight_grads=True, timings=timings)
                        iters = args.iterations
                timings.pop("total", None)
                peak = torch.cuda.max_memory_allocated() if cuda else 0
                print(json.dumps({"pipeline": name, "size": size, "iterations": iters,
                                  "seconds": {k: round(v, 3) for k, v in timings.items()},
                                  "total_s": round(t.seconds, 3), "peak_gib": gib(peak),
                                  "peak_above_weights_gib": gib(peak - weights)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
