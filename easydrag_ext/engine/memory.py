"""Refuse a working size the machine cannot hold, before any model work, with its estimate.

The estimate is what one drag holds on top of the loaded model: the activations autograd keeps
for the backward pass, the backward's workspace, the inversion cache (z_t, F0, the reference
banks) and Adam's moments.  All of them grow with the latent cells times the UNet's base
channel count, so one constant per cell and channel gives it.  BYTES_PER_CELL_CHANNEL is
calibrated from `bench/memory.py`'s meta-device count of the full SD-1.5 UNet in fp16 with
SDP attention ("ours" rows, saved + caches + adam + workspace, the `drag_gb` column):
1.196 GB at 512x512, 1.790 GB at 512x768, 2.680 GB at 768x768, i.e. 912.6, 910.6 and 908.8
bytes per latent cell and base channel; 912 is used.  tests/bench/test_memory.py fails if the
two drift apart by more than ESTIMATE_TOLERANCE.  It is a count of what autograd keeps, not of
the allocator's fragmentation: a guard against sizes that cannot fit (8192x8192: about 285 GiB),
not a prediction of the peak.
"""
from __future__ import annotations

import os
from typing import Optional, Tuple

import torch

from .inputs import DragRefused

BYTES_PER_CELL_CHANNEL = 912       # fp16 bytes a drag holds per latent cell and base channel (above)
ESTIMATE_TOLERANCE = 1.15           # the most the estimate may differ from bench/memory.py's count
GIB = 1024 ** 3


def estimate_bytes(work_size: Tuple[int, int], latent_factor: int, model_channels: int,
                   dtype_bytes: int) -> int:
    w, h = work_size
    cells = (w // max(1, latent_factor)) * (h // max(1, latent_factor))
    return int(cells * model_channels * BYTES_PER_CELL_CHANNEL * max(1, dtype_bytes) / 2)


def available_bytes(device: torch.device) -> Optional[int]:
    """Free memory on `device` (None where it cannot be read: then nothing is refused)."""
    try:
        if device.type == "cuda":
            free, _total = torch.cuda.mem_get_info(device)
            reserved_unused = torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
            return int(free + reserved_unused)
        if device.type == "cpu":
            with open("/proc/meminfo") as f:
                for line in f:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
            return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, RuntimeError, AttributeError):
        return None
    return None


def check_fits(work_size: Tuple[int, int], latent_factor: int, unet: torch.nn.Module,
               dtype: torch.dtype, device: torch.device) -> None:
    channels = int(getattr(unet, "model_channels", 320) or 320)
    dtype_bytes = torch.tensor([], dtype=dtype).element_size()
    need = estimate_bytes(work_size, latent_factor, channels, dtype_bytes)
    free = available_bytes(device)
    if free is not None and need > free:
        w, h = work_size
        raise DragRefused(
            f"working size {w}x{h} needs about {need / GIB:.1f} GiB (estimated) but {device} has "
            f"{free / GIB:.1f} GiB free; lower 'Resize long side' (e.g. 512)")
