"""Reuse the inversion when the same image is dragged again with other points.

Moving points and pressing Run again is the common loop; everything up to z_t (encode,
inversion, the recorded reference states, F0) depends only on the model, the image, the
prompt and a few parameters, so it is kept for the last `max_entries` requests.  The
WebUI glue clears it whenever a checkpoint is loaded.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Hashable, Optional

import numpy as np


class InversionCache:
    def __init__(self, max_entries: int = 1):
        self.max_entries = max_entries
        self._entries: "OrderedDict[Hashable, Any]" = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Optional[Any]:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            self.misses += 1
            return None

    def put(self, key: Hashable, value: Any) -> None:
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
