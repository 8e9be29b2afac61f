"""WebUI host glue: the only part of EasyDrag that imports the WebUI's `modules`.

`scripts/easydrag.py` calls `register()`; everything host-specific (callbacks, queue,
state, saving, API, model placement) lives in this package, and host-version or Forge
differences are detected in `compat` only.
"""


def register() -> None:
    from .callbacks import register as _register

    _register()
