"""Reuse the inversion when the same image is dragged again with other points.

Moving points and pressing Run again is the common loop; everything up to z_t (encode,
inversion, the recorded reference states, F0) depends only on the model, the image, the
prompt and a few parameters, so it is kept for the last `max_entries` requests.  The
WebUI glue clears it whenever a checkpoint is loaded or unloaded; the pipeline clears it on
a miss before inverting, so an old entry never lives beside the one being built.  With
`offload` (the WebUI's --medvram/--lowvram) entries are kept on the CPU and copied to the
device on a hit.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Hashable, Optional

import numpy as np
import torch


def move(value: Any, device) -> Any:
    """`value` (tensors inside tuples, lists and dicts) with every tensor on `device`."""
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, dict):
        return {k: move(v, device) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(move(v, device) for v in value)
    return value


class InversionCache:
    def __init__(self, max_entries: int = 1, offload: bool = False):
        self.max_entries = max_entries
        self.offload = offload
        self._entries: "OrderedDict[Hashable, Any]" = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, device=None) -> Optional[Any]:
        """The entry for `key` (its tensors on `device` when given), or None."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                value = self._entries[key]
                return move(value, device) if device is not None else value
            self.misses += 1
            return None

    def put(self, key: Hashable, value: Any) -> None:
        if self.offload:
            value = move(value, "cpu")
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def image_digest(image) -> str:
    arr = np.asarray(image)
    return hashlib.sha1(arr.tobytes() + str(arr.shape).encode()).hexdigest()
