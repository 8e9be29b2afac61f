"""bench/device_check.sh: its CPU smoke run proves every check end to end; a missing .whl fails first."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "device_check.sh"


def test_cpu_smoke_run_passes_every_check(tmp_path):
    env = dict(os.environ, OUT=str(tmp_path), PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(SCRIPT), "--cpu"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    lines = [json.loads(ln) for ln in (tmp_path / "device_check.jsonl").read_text().splitlines()
             if ln.startswith("{")]
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    by = {}
    for line in lines:
        by.setdefault(line["check"], []).append(line)
    assert by["setup"][0]["device"] == "cpu" and by["setup"][0]["torch"] == __import__("torch").__version__
    drags = {(d["kernel"], d["pipeline"]): d for d in by["drag"]}
    assert set(drags) == {(k, p) for k in ("sdp", "doggettx") for p in ("engine", "engine low-VRAM", "official")}
    for d in drags.values():
        assert d["ok"] and d["finite"]
        assert {"inversion", "drag", "denoise"} <= set(d["seconds"]), d
        assert d["estimate_sd15_gb"] > 2.0                 # bench/memory.py's count ran for the case
    same = {d["kernel"]: d for d in by["low_vram_same_result"]}
    assert set(same) == {"sdp", "doggettx"}
    assert all(d["ok"] and d["max_pixel_diff"] == 0 and d["handles_equal"] for d in same.values())
    assert by["host_untouched"][0]["ok"] and by["host_untouched"][0]["changed"] == []
    assert by["summary"][-1] == {**by["summary"][-1], "check": "summary", "ok": True, "failed": []}


def test_missing_wheels_fail_before_any_work(tmp_path):
    """On the device (no ldm classes there), an empty .whl/ exits 3 at once: no model, no nvidia-smi."""
    (tmp_path / "bench").mkdir()
    shutil.copy(SCRIPT, tmp_path / "bench" / "device_check.sh")
    (tmp_path / ".whl").mkdir()
    no_ldm = tmp_path / "python-without-ldm"
    no_ldm.write_text("#!/bin/sh\nexit 1\n")
    no_ldm.chmod(0o755)
    env = dict(os.environ, OUT=str(tmp_path / "out"), PYTHON=str(no_ldm), PATH="/usr/bin:/bin")
    proc = subprocess.run(["bash", str(tmp_path / "bench" / "device_check.sh")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 3
    line = json.loads(proc.stdout.strip().splitlines()[-1])
    assert line["check"] == "preflight" and not line["ok"] and "fetch_device_wheels" in line["error"]
    assert not (tmp_path / "out").exists()           # nothing ran past the check
    pre = subprocess.run(["bash", str(tmp_path / "bench" / "device_check.sh"), "--preflight"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=30)
    assert pre.returncode == 3 and '"ok": false' in pre.stdout
    (tmp_path / ".whl" / "stable_diffusion_sdkit-2.1.5-py3-none-any.whl").write_bytes(b"")
    pre = subprocess.run(["bash", str(tmp_path / "bench" / "device_check.sh"), "--preflight"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=30)
    assert pre.returncode == 0 and '"ok": true' in pre.stdout
