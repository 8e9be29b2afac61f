"""WebUI host glue: the only part of EasyDrag that imports the WebUI's `modules`.

`scripts/easydrag.py` calls `register()`; everything host-specific (callbacks, queue,
state, saving, API, model placement) lives in this package, and the WebUI's and Forge's
differences are detected in `compat` only (gradio's in `ui/gradio_compat`).
"""


def register() -> None:
    from .callbacks import register as _register

    _register()
