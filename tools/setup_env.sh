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
