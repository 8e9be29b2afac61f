"""What a drag reports while it runs and what it returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image

from ..params import DragParams

PHASES = ("inversion", "drag", "denoise")
# What progress lines call each phase ("Dragging 12/50"), in the WebUI and the standalone app.
PHASE_VERBS = {"inversion": "Inverting", "drag": "Dragging", "denoise": "Denoising"}


class DragCancelled(Exception):
    """Raised when `should_stop()` returned True; the model is already restored."""


@dataclass(frozen=True)
class ProgressEvent:
    phase: str                              # one of PHASES
    step: int                               # 1-based step within the phase
    total: int                              # steps in the phase (drag: the iteration limit)
    handles: List[Tuple[float, float]]      # current handle positions, input pixels


@dataclass
class DragResult:
    image: Image.Image
    final_handles: List[Tuple[float, float]]
    iterations: int
    arrived: List[bool]
    mask: Optional[np.ndarray]              # bool (H, W), input size
    mask_heat: Optional[np.ndarray]         # float32 (H, W) in [0, 1], input size
    timings: Dict[str, float] = field(default_factory=dict)
    params: DragParams = field(default_factory=DragParams)
    # filled by the host glue (webui/): warnings for the user, extra infotext pairs
    # (Clip skip, Lora hashes, TI hashes) and the checkpoint/VAE mismatch, if any
    notes: List[str] = field(default_factory=list)
    infotext_extra: Dict[str, str] = field(default_factory=dict)
    model_mismatch: Optional[dict] = None
