"""The canvas's JavaScript and the extension's style.css, for pages the WebUI does not build.

The WebUI puts every `javascript/*.js` and `style.css` on its page itself; the standalone
app gets the same files here: the CSS through `gr.Blocks(css=...)`, the scripts injected
into the page head once on load (classic scripts, so their globals are the WebUI's).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[2]
WEBUI_ONLY = {"easydrag_webui.js"}     # needs the WebUI's randomId/requestProgress


def script_paths(root: Path = ROOT) -> List[Path]:
    return sorted(p for p in (root / "javascript").glob("easydrag_*.js") if p.name not in WEBUI_ONLY)


def css(root: Path = ROOT) -> str:
    path = root / "style.css"
    return path.read_text(encoding="utf8") if path.is_file() else ""


def loader_js(root: Path = ROOT) -> str:
    """A load-event JS hook (gradio_compat.js_hook) that appends each script to <head> (once per page)."""
    sources = [p.read_text(encoding="utf8") for p in script_paths(root)]
    return ("() => { if (window.__easydragAssets) return []; window.__easydragAssets = true; "
            f"for (const code of {json.dumps(sources)}) {{ const s = document.createElement('script'); "
            "s.textContent = code; document.head.appendChild(s); } return []; }")
