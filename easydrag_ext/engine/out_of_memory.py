"""Out of memory during a drag: one clear message naming what to change, never a raw CUDA error.

The drag's backward is where a small card runs out (the activations kept for it); the
message names the low-VRAM option when it is off, and the size when it is already on.
It is a ValueError too, so every front end shows it the way it shows bad input.
"""
from __future__ import annotations

import contextlib

import torch


class DragOutOfMemory(MemoryError, ValueError):
    """The GPU ran out of memory during a drag."""


def is_out_of_memory(exc: BaseException) -> bool:
    oom = getattr(torch.cuda, "OutOfMemoryError", None)
    if oom is not None and isinstance(exc, oom):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc)[:300].lower()


def message(low_vram: bool, resize_long_side: int) -> str:
    if not low_vram:
        return ("out of GPU memory during the drag: turn on 'Low VRAM drag' (low_vram), which recomputes "
                "activations instead of keeping them (same result, less memory), or lower "
                "'Resize long side'")
    side = f" (now {resize_long_side})" if resize_long_side else ""
    return ("out of GPU memory during the drag even with 'Low VRAM drag' (low_vram) on: lower "
            f"'Resize long side'{side}, or start the WebUI with --medvram or --lowvram")


@contextlib.contextmanager
def out_of_memory_hint(params):
    failed = False
    try:
        yield
    except Exception as e:
        if not is_out_of_memory(e):
            raise
        # Its traceback holds the frames that hold the drag's tensors: drop it, so the memory is
        # free again by the time the user reads the message.
        e.__traceback__ = None
        failed = True
    if failed:
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        raise DragOutOfMemory(message(params.low_vram, params.resize_long_side)) from None
