#!/usr/bin/env bash
# The one prepared GPU check (issues 6 and 18): JSON lines from bench/device_check.py: a CUDA fp16
# drag without NaN for the engine, the engine with low_vram and the official structure, under SDP
# and Doggettx attention; seconds per phase; max_memory_allocated against bench/memory.py's
# estimate; low_vram gives the normal result; the host model left untouched.  Under 5 minutes.
#
# How to run it (the device machine has torch but not the ldm classes):
#   1. here, where pip can download:   tools/fetch_device_wheels.sh     (fills .whl/, git-ignored)
#   2. here, free:                      bench/device_check.sh --preflight (fails if .whl/ is empty)
#   3. the device call, naming .whl in carry (ignored paths travel only when carried):
#        run(command="bench/device_check.sh", carry=[".whl"], timeout_s=420)
#      results come back in $OUT/device_check.jsonl and $OUT/gpu.txt.
# CI smoke (no GPU, tiny model, CPU):   bench/device_check.sh --cpu
set -uo pipefail
cd "$(dirname "$0")/.."

py="${PYTHON:-python3}"
[ "${1:-}" = --cpu ] && [ -x .venv/bin/python ] && [ -z "${PYTHON:-}" ] && py=.venv/bin/python
need_wheels() { ! "$py" -c "import ldm.modules.diffusionmodules.openaimodel" 2>/dev/null; }
have_wheels() { compgen -G ".whl/stable_diffusion_sdkit-*.whl" >/dev/null; }

# First thing, before any model is built or time is spent: the wheels must be there.
if [ "${1:-}" = --preflight ]; then
  have_wheels && { echo '{"check": "preflight", "ok": true}'; exit 0; }
  echo '{"check": "preflight", "ok": false, "error": ".whl/ has no stable_diffusion_sdkit wheel: run tools/fetch_device_wheels.sh"}'
  exit 3
fi
if [ "${1:-}" != --cpu ] && need_wheels; then
  if ! have_wheels; then
    echo '{"check": "preflight", "ok": false, "error": ".whl/ is empty here: run tools/fetch_device_wheels.sh and name .whl in carry"}'
    exit 3
  fi
  "$py" -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl || exit 3
  export PYTHONPATH=/tmp/site:${PYTHONPATH:-}
fi

out="${OUT:-/tmp/easydrag-gpu}"; mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
if [ "${1:-}" = --cpu ]; then     # CI: its test has its own timeout, a busy runner is slow
  args=(--device cpu --model tiny --size 64x64 --iterations 2); limit=0
else
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt"
  args=(); limit=290
fi
timeout "$limit" "$py" bench/device_check.py "${args[@]}" 2>&1 \
  | grep --line-buffered -v "xformers\|making attention\|Working with" | tee "$out/device_check.jsonl"
exit "${PIPESTATUS[0]}"
