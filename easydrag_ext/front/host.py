"""What `run_and_finish` needs from whoever runs a drag (the WebUI, the standalone app, the CLI)."""
from __future__ import annotations

from typing import Optional

from PIL import Image

from .. import __version__


class Host:
    """Base class of every host; `ui.services.DragServices` extends it with what the tab needs."""

    def run_drag(self, request):
        """Run one drag (host-specific: locks, progress, interrupt, model); returns a DragResult."""
        raise NotImplementedError

    def check_save(self) -> None:
        """Raise ValueError now, before the model loads, if `save` could not write (folder, format)."""

    def save(self, image: Image.Image, infotext: str, seed: int) -> str:
        """Save a result with its infotext, atomically; returns the file path."""
        raise NotImplementedError

    def save_automatically(self) -> bool:
        return False

    def model_hash(self) -> Optional[str]:
        return None

    def model_name(self) -> Optional[str]:
        """The checkpoint's name for the infotext's `Model` key."""
        return None

    def version(self) -> str:
        return __version__
