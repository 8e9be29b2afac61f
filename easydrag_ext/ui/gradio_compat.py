"""gradio's differences between hosts, detected by capability (never from a version string).

The A1111 WebUI v1.10 ships gradio 3.41; Forge ships gradio 4.  The tab and the standalone app
are host-free, so the gradio differences they meet live here, importable without the WebUI;
the WebUI's own differences (its modules, Forge's back end) live in `webui/compat.py`.
tests/test_architecture.py checks that no other product file reads a version or names the
JS-hook keyword itself.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Optional

# The keyword an event listener takes for its client-side hook: gradio 3 says `_js`, gradio 4 `js`.
JS_KEYWORDS = ("_js", "js")


def js_hook(listener: Callable, js: Optional[str]) -> Dict[str, Any]:
    """The keyword arguments that give `listener` (e.g. `button.click`, `blocks.load`) the JS hook
    `js`, read from the listener's own signature; {} when there is no hook."""
    if js is None:
        return {}
    try:
        accepted = inspect.signature(listener).parameters
    except (TypeError, ValueError):     # a builtin or C callable: nothing to read
        accepted = {}
    for name in JS_KEYWORDS:
        if name in accepted:
            return {name: js}
    raise TypeError(f"this gradio's {getattr(listener, '__name__', 'event listener')}() takes no JS hook "
                    f"({' or '.join(JS_KEYWORDS)}); EasyDrag supports gradio 3.41 and 4")


def gradio_version() -> str:
    """gradio's version, for reports only (GET /easydrag/v1/version); never for decisions."""
    import gradio

    return str(getattr(gradio, "__version__", "unknown"))
