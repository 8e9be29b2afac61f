"""bench/memory.py: the counted memory table (meta device, SD-1.5 layout, fp16) and its claims."""
import re

from bench import memory

LINE = re.compile(r"^(ours|ours low-VRAM|official)\s+(sdp|doggettx)\s+(\d+)x(\d+)\s+peak\s+([0-9.]+) GB ")


def test_table_names_pipeline_mode_size_and_peak_then_the_ratio(capsys):
    assert memory.main(["--sizes", "512x768", "--kernels", "sdp,doggettx"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if LINE.match(ln) or ln.startswith("ratio")]
    rows = [LINE.match(ln).groups() for ln in lines[:-1]]
    assert {(r[0], r[1]) for r in rows} == {(m, k) for m in memory.MODES for k in ("sdp", "doggettx")}
    assert all((r[2], r[3]) == ("512", "768") for r in rows)
    ratio = re.fullmatch(r"ratio ours/official = ([0-9.]+)", lines[-1])
    assert ratio and 0 < float(ratio.group(1)) < 1
    peak = {(r[0], r[1]): float(r[4]) for r in rows}
    for kernel in ("sdp", "doggettx"):
        assert peak["ours low-VRAM", kernel] < peak["ours", kernel] < peak["official", kernel]
    assert peak["ours low-VRAM", "sdp"] <= 4.0            # the budget at 512x768, weights included
    assert peak["ours", "sdp"] < peak["ours", "doggettx"]  # full attention matrices cost memory


def test_counts_follow_the_size_and_weights_are_fixed():
    rows = memory.table(sizes=["512x512", "768x768"], kernels=["sdp"])
    by = {(r["pipeline"], r["size"]): r for r in rows}
    for mode in memory.MODES:
        small, big = by[mode, "512x512"], by[mode, "768x768"]
        assert big["saved_gb"] > small["saved_gb"] and big["caches_gb"] > small["caches_gb"]
        assert big["weights_gb"] == small["weights_gb"]
    # fp16 UNet + VAE + CLIP text encoder: about 2.1 GB; the official run adds fp16 weight grads
    assert 2.0 < by["ours", "512x512"]["weights_gb"] < 2.3
    assert by["official", "512x512"]["weights_gb"] > by["ours", "512x512"]["weights_gb"] + 1.6
    # the inversion cache at 512x512 fp16: about 0.3 GB (z_t, F0, drag and denoising reference banks)
    assert 0.25 < by["ours", "512x512"]["caches_gb"] < 0.35


def test_the_products_memory_guard_follows_the_counted_drag_memory():
    # one source of truth: engine/memory.py's constant is calibrated from this count; a change to
    # the drag's graph (or to the constant) that moves them apart by more than the tolerance fails
    from easydrag_ext.engine import memory as guard

    counted = memory.drag_bytes(sizes=["512x512", "512x768", "768x768"])
    for size, count in counted.items():
        w, h = (int(v) for v in size.split("x"))
        estimate = guard.estimate_bytes((w, h), 8, 320, 2)
        assert 1 / guard.ESTIMATE_TOLERANCE < estimate / count < guard.ESTIMATE_TOLERANCE, (size, estimate, count)
