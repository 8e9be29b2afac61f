#!/usr/bin/env bash
# Create/refresh .venv for the standalone runner ("run") or for the tests ("test").
# Idempotent: a stamp keyed on the requirement files skips pip when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-run}"
files="requirements.txt"
[ "$what" = test ] && files="$files requirements-test.txt $(ls requirements-webui.txt requirements-browser.txt 2>/dev/null || true)"
py="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$py" -m venv .venv
stamp=".venv/.installed-$what-$(cat $files tools/setup_env.sh | sha1sum | cut -c1-12)"
if [ "$what" = test ] && [ ! -x /usr/bin/chromium ]; then
  # The canvas browser test drives Debian's Chromium (Playwright downloads no browser here).
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: /usr/bin/chromium is missing; run 'sudo apt-get install -y chromium' for the browser test" >&2
  fi
fi
command -v node >/dev/null || echo "note: node is missing; the canvas's JavaScript tests need Node.js >= 18" >&2
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade "pip<25"
  for f in $files; do .venv/bin/python -m pip install -q -r "$f"; done
  .venv/bin/python -m pip install -q --no-deps stable-diffusion-sdkit==2.1.5
  .venv/bin/python - <<'PY'
import numpy, torch
assert numpy.__version__ == "1.26.4", f"numpy {numpy.__version__} (something upgraded it)"
assert torch.__version__.startswith("2.13.0"), f"torch {torch.__version__} (something upgraded it)"
import ldm.modules.diffusionmodules.openaimodel  # noqa: F401
PY
  touch "$stamp"
fi
if [ "$what" = test ]; then
  # WebUI v1.10.1's torch (launch_utils: torch==2.1.2) for a second test pass, beside the main
  # one: installed without dependencies into a folder put first on PYTHONPATH, so gradio, ldm
  # and numpy 1.26.4 are shared.  The wheel is PyPI's CUDA build; tools/cuda_stubs.py stands in
  # for the ~1.8 GB of nvidia-* libraries it names, which CPU code never calls.
  t212=.venv/torch-2.1.2
  stamp212="$t212/.installed-$(cat tools/setup_env.sh tools/cuda_stubs.py | sha1sum | cut -c1-12)"
  if [ ! -f "$stamp212" ]; then
    rm -rf "$t212"
    .venv/bin/python -m pip install -q --no-deps --no-compile --target "$t212" torch==2.1.2
    .venv/bin/python tools/cuda_stubs.py "$t212/torch/lib"
    PYTHONPATH="$t212" .venv/bin/python - <<'PY'
import numpy, torch
assert numpy.__version__ == "1.26.4", f"numpy {numpy.__version__} (something upgraded it)"
assert torch.__version__.startswith("2.1.2"), f"torch {torch.__version__} in .venv/torch-2.1.2"
assert not torch.cuda.is_available()
import ldm.modules.diffusionmodules.openaimodel  # noqa: F401
PY
    touch "$stamp212"
  fi
fi
