"""Refuse a working size the machine cannot hold, before any model work, with its estimate.

The estimate is deliberately simple: the drag keeps the UNet's activations up to the
deepest feature block for the backward pass, which grows with the latent cells times the
model's base channel count.  BYTES_PER_CELL_CHANNEL was sized so that SD-1.5 at 512x512 in
fp16 comes to about 4 GiB of activations; it is an order-of-magnitude guard (an 8192x8192
working size, 1 TB), not a prediction of the peak.
"""
from __future__ import annotations

import os
from typing import Optional, Tuple

import torch

from .inputs import DragRefused

BYTES_PER_CELL_CHANNEL = 1500 * 2   # activations kept per latent cell and base channel, fp16 bytes
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
