"""The one error type of a drag request, with the kind each front end maps to its own form.

Tab: HTML; API: an HTTP status; CLI: an exit code (`HTTP_STATUS`, `EXIT_CODES`).
"""
from __future__ import annotations

from typing import Optional

BAD_INPUT, REFUSED, INTERRUPTED, NAN, SAVE_FAILED = "bad_input", "refused", "interrupted", "nan", "save_failed"
KINDS = (BAD_INPUT, REFUSED, INTERRUPTED, NAN, SAVE_FAILED)

# save_failed still answers 200: the result is in the body, with saved_path null and the error
HTTP_STATUS = {BAD_INPUT: 422, REFUSED: 409, INTERRUPTED: 409, NAN: 500, SAVE_FAILED: 200}
EXIT_CODES = {BAD_INPUT: 2, REFUSED: 3, INTERRUPTED: 130, NAN: 4, SAVE_FAILED: 5}

NAN_MESSAGE = ("the model produced NaN values (usually an fp16 VAE or UNet overflow); "
               "start the WebUI with --no-half-vae (or --no-half) and try again")
INTERRUPTED_MESSAGE = "interrupted: the drag was stopped before it finished; nothing was produced"


class DragError(Exception):
    """`kind` is one of KINDS; `finished` (a front.Finished) is set for save_failed only."""

    def __init__(self, kind: str, message: str, finished=None):
        if kind not in KINDS:
            raise ValueError(f"unknown DragError kind {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.finished = finished

    def __repr__(self) -> str:
        return f"DragError({self.kind!r}, {self.message!r})"


def is_nan_error(exc: BaseException) -> bool:
    """Whether an exception from the model is a NaN failure (host NansException or similar)."""
    return type(exc).__name__ == "NansException" or "NaN" in str(exc)[:200]


def nan_message(exc: BaseException) -> str:
    """The engine's NaN error names the part that produced it and what to try; the host's does not."""
    if hasattr(exc, "part") and isinstance(exc, FloatingPointError):
        return str(exc)
    return NAN_MESSAGE


def classify(exc: BaseException) -> Optional[DragError]:
    """The DragError for an exception from checking or running a drag; None: a bug, re-raise it."""
    from ..engine.events import DragCancelled
    from ..engine.inputs import DragRefused

    if isinstance(exc, DragError):
        return exc
    if isinstance(exc, DragCancelled):
        return DragError(INTERRUPTED, INTERRUPTED_MESSAGE)
    if isinstance(exc, DragRefused):
        return DragError(REFUSED, str(exc))
    if is_nan_error(exc):
        return DragError(NAN, nan_message(exc))
    if isinstance(exc, ValueError):
        return DragError(BAD_INPUT, str(exc))
    return None
