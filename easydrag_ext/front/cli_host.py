"""The host of the command line: the bundled model, one output file, saved atomically.

The model loads on first use, so `check_save` (the output path and format) runs before it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from PIL import Image

from .errors import SAVE_FAILED, DragError
from .finish import Finished, run_and_finish
from .host import Host
from .request import DragRequest, execute
from .saving import atomic_save, check_output, fallback_path


class CliHost(Host):
    def __init__(self, out, progress: Optional[Callable] = None):
        self.out = Path(out)
        self.progress = progress
        self._format: Optional[str] = None
        self._bundle = None

    def bundle(self):
        if self._bundle is None:
            from ..bundled import load_default_model

            self._bundle = load_default_model()
        return self._bundle

    def run_drag(self, request: DragRequest):
        return execute(self.bundle().adapter, request, progress=self.progress)

    def check_save(self) -> None:
        self._format = check_output(self.out)

    def save(self, image: Image.Image, infotext: str, seed: int) -> str:
        return atomic_save(image, self.out, infotext, self._format)

    def save_automatically(self) -> bool:
        return True

    def model_hash(self) -> Optional[str]:
        return None

    def model_name(self) -> Optional[str]:
        return self._bundle.name if self._bundle is not None else None


def finish_or_fallback(host: CliHost, request: DragRequest) -> Finished:
    """run_and_finish; when saving fails the result goes to a fallback file, named in the error."""
    try:
        return run_and_finish(host, request)
    except DragError as e:
        if e.kind != SAVE_FAILED:
            raise
        path = fallback_path(host.out)
        atomic_save(e.finished.result.image, path, e.finished.infotext, "PNG")
        e.finished.saved_path = str(path)
        raise DragError(SAVE_FAILED, f"{e.message}; the result was written to {path} instead",
                        e.finished) from None
