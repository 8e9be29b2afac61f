"""The one GPU check's body (bench/device_check.sh runs it): correctness, memory and time, JSON lines.

    python bench/device_check.py                                   # CUDA, SD-1.5 layout, fp16
    python bench/device_check.py --device cpu --model tiny --size 64x64 --iterations 2   # CI smoke

For each attention kernel (SDP, Doggettx-style full attention) and pipeline (engine, engine
with low_vram, the official structure) one drag on random weights: seconds per phase, peak
torch.cuda.max_memory_allocated against bench/memory.py's estimate for the same case, and
whether the result is finite.  Then: low_vram gives the normal result, the host model is
left exactly as it was.  Every line is JSON with "check" naming it; the last is the summary
({"check": "summary", "ok": ...}) and the exit status is 0 only when every check passed.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import memory  # noqa: E402
from bench.common import Timer, build_model, drag_case, sdp_attention  # noqa: E402
from bench.official_structure import official_drag  # noqa: E402
from easydrag_ext import DragParams, LdmAdapter, drag  # noqa: E402
from easydrag_ext.engine.geometry import plan_size, points_to_work  # noqa: E402

PIPELINES = ("engine", "engine low-VRAM", "official")
MEMORY_MODE = {"engine": "ours", "engine low-VRAM": "ours low-VRAM", "official": "official"}
failures = []


def emit(check, ok=True, **fields):
    if not ok:
        failures.append(check)
    print(json.dumps({"check": check, "ok": bool(ok), **fields}), flush=True)


@contextlib.contextmanager
def kernel(name):
    if name == "sdp":
        with sdp_attention():
            yield
    else:
        with memory.attention("doggettx"):
            yield


def host_fingerprint(model):
    """What a drag must leave as it was: weights (checksums), flags, instance forwards, hooks."""
    with torch.no_grad():
        sums = {k: (v.dtype, v.device, float(v.double().sum()), float(v.double().abs().sum()))
                for k, v in model.state_dict().items()}
    return {
        "state": sums,
        "requires_grad": {n: p.requires_grad for n, p in model.named_parameters()},
        "training": {n: m.training for n, m in model.named_modules()},
        "forward": {n: (m.__dict__.get("forward"), m.__dict__.get("_forward")) for n, m in model.named_modules()},
        "hooks": {n: (len(m._forward_hooks), len(m._forward_pre_hooks)) for n, m in model.named_modules()},
        "grads": sum(p.grad is not None for p in model.parameters()),
    }


def run_pipeline(name, adapter, case, params, device):
    img, prompt, handles, targets = case
    w, h = img.size
    cuda = device.startswith("cuda")
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    timings = {}
    with Timer(device) as t:
        if name == "official":
            plan = plan_size(w, h, params.resize_long_side, 64)
            _, pts, image = official_drag(adapter, img, prompt, points_to_work(plan, handles),
                                          points_to_work(plan, targets), params, weight_grads=True,
                                          timings=timings)
            finite = bool(torch.isfinite(image).all())
            result = None
        else:
            result = drag(adapter, img, prompt, handles, targets,
                          params=params.replace(low_vram=name == "engine low-VRAM"))
            timings = dict(result.timings)
            finite = all(np.isfinite(v) for p in result.final_handles for v in p)
    timings.pop("total", None)
    peak = torch.cuda.max_memory_allocated() if cuda else 0
    return result, finite, {k: round(v, 3) for k, v in timings.items()}, round(t.seconds, 3), peak


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--model", default="sd15", choices=["sd15", "tiny"])
    ap.add_argument("--size", default="512x768", help="WxH")
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--kernels", default="sdp,doggettx")
    args = ap.parse_args(argv)
    cuda = args.device.startswith("cuda")
    if cuda and not torch.cuda.is_available():
        emit("setup", False, error="no CUDA device")
        return 1
    w, h = (int(v) for v in args.size.lower().split("x"))
    case = drag_case(w, h)
    params = DragParams(max_iterations=args.iterations, resize_long_side=max(w, h),
                        **({} if args.model == "sd15" else
                           dict(inversion_steps=10, drag_step_index=7, reference_steps=4,
                                motion_step=4, snap_radius=6)))
    model = build_model(args.model, args.device, half=cuda)
    adapter = LdmAdapter(model)
    weights = torch.cuda.memory_allocated() if cuda else 0
    emit("setup", device=torch.cuda.get_device_name() if cuda else "cpu", torch=torch.__version__,
         dtype=str(adapter.unet_dtype), model=args.model, size=args.size, iterations=args.iterations,
         weights_gib=round(weights / 2 ** 30, 3))
    before = host_fingerprint(model)
    # bench/memory.py's estimate for the SD-1.5 layout at this size (on the CPU smoke run it only
    # proves the code path: the tiny model's peak is not comparable).
    est = {}
    unet = memory.build_unet()
    wb = memory.weight_bytes(unet)
    for k in args.kernels.split(","):
        for p in PIPELINES:
            est[k, p] = memory.count_case(unet, MEMORY_MODE[p], k, args.size, params, wb)["peak_gb"]
    del unet
    images = {}
    for k in args.kernels.split(","):
        with kernel(k):
            if cuda:    # warm-up (kernels, allocator), not timed
                drag(adapter, *case, params=params.replace(max_iterations=1))
            for p in PIPELINES:
                try:
                    result, finite, timings, total, peak = run_pipeline(p, adapter, case, params, args.device)
                except Exception as e:     # one line per failure; the other checks still run
                    emit("drag", False, kernel=k, pipeline=p, error=f"{type(e).__name__}: {e}"[:300])
                    continue
                if result is not None:
                    images[k, p] = (np.asarray(result.image, dtype=np.int16), result.final_handles,
                                    result.iterations)
                line = dict(kernel=k, pipeline=p, seconds=timings, total_s=total, finite=finite,
                            peak_gb=round(peak / 1e9, 3))
                line["estimate_sd15_gb"] = round(est[k, p], 3)
                if cuda and args.model == "sd15":
                    line["measured_over_estimate"] = round(peak / 1e9 / est[k, p], 3)
                emit("drag", finite, **line)
        if (k, "engine") in images and (k, "engine low-VRAM") in images:
            a, b = images[k, "engine"], images[k, "engine low-VRAM"]
            diff = int(np.abs(a[0] - b[0]).max())
            # CPU: bit-identical; CUDA kernels are not bitwise repeatable, so a few levels of 255
            same = diff == 0 if not cuda else diff <= 8 and a[2] == b[2]
            emit("low_vram_same_result", same, kernel=k, max_pixel_diff=diff, iterations=[a[2], b[2]],
                 handles_equal=a[1] == b[1])
    after = host_fingerprint(model)
    changed = [key for key in before if before[key] != after[key]]
    emit("host_untouched", not changed, changed=changed)
    emit("summary", not failures, failed=failures, seconds=round(time.perf_counter() - START, 1))
    return 0 if not failures else 1


START = time.perf_counter()

if __name__ == "__main__":
    sys.exit(main())
