#!/usr/bin/env bash
# The one prepared GPU check (issue 6): run on a machine with one CUDA GPU, from the repo root.
# The GPU image has torch but not the ldm classes: `tools/fetch_device_wheels.sh` (run where pip
# can download) fills .whl/, which travels with the working tree. Finishes in well under 5 minutes.
set -uo pipefail
out="${OUT:-/tmp/easydrag-gpu}"; mkdir -p "$out"
if ! python3 -c "import ldm.modules.diffusionmodules.openaimodel" 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl || exit 3
  export PYTHONPATH=/tmp/site:${PYTHONPATH:-}
fi
export PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt"
timeout 280 python3 bench/gpu.py 2>&1 | grep -v "xformers\|making attention\|Working with" | tee "$out/gpu.jsonl"
