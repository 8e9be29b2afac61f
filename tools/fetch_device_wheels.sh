#!/usr/bin/env bash
# Download the wheels bench/device_check.sh needs on the GPU machine (ldm classes; no deps) into .whl/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux2014_x86_64 --platform any -d .whl stable-diffusion-sdkit==2.1.5
ls -la .whl
