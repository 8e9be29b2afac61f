"""What a drag reports while it runs and what it returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image

from ..params import DragParams

# The phases of a drag, in the order they run; each reports a start event (step 0) and one
# event per step, so no stretch of work is silent (the VAE encode, the feature pass and the
# final decode are phases of one step each).
PHASES = ("encode", "inversion", "features", "drag", "denoise", "decode")
# What progress lines call each phase ("Dragging 12/50"), in the WebUI and the standalone app.
PHASE_VERBS = {"encode": "Encoding", "inversion": "Inverting", "features": "Reading features",
               "drag": "Dragging", "denoise": "Denoising", "decode": "Decoding"}
# Rough cost of one step of each phase in plain UNet forwards at the working size, so the
# overall fraction (and the WebUI's ETA, elapsed / fraction - elapsed) advances with time
# rather than with phase count: a drag step is a truncated forward plus its backward
# (about 1.6x a forward at SD-1.5 size), a denoising step up to two forwards (reference
# guidance runs the encoder once, the decoder twice), the SD VAE decoder about two.
PHASE_COST = {"encode": 1.0, "inversion": 1.0, "features": 0.75, "drag": 1.6, "denoise": 1.6, "decode": 2.0}


def phase_text(phase: str, step: int, total: int) -> str:
    """The progress line: "Dragging 12/50"; a one-step phase by its name alone ("Encoding…")."""
    verb = PHASE_VERBS.get(phase, phase)
    return f"{verb} {step}/{total}" if total > 1 else f"{verb}\u2026"


class WorkBudget:
    """Overall progress of one drag: the phases' steps weighted by PHASE_COST.

    The drag's step count is its iteration limit; a drag that arrives early (or a cached
    inversion) makes the fraction jump forward, never back.
    """

    def __init__(self, steps: Dict[str, int]):
        self.offsets: Dict[str, float] = {}
        done = 0.0
        for phase in PHASES:
            self.offsets[phase] = done
            done += PHASE_COST[phase] * max(0, int(steps.get(phase, 0)))
        self.total = done
        self._last = 0.0

    def fraction(self, phase: str, step: int, steps: int) -> float:
        if self.total <= 0 or phase not in self.offsets:
            return self._last
        part = PHASE_COST[phase] * min(max(step, 0), max(steps, 0))
        self._last = max(self._last, min(1.0, (self.offsets[phase] + part) / self.total))
        return self._last


class DragCancelled(Exception):
    """Raised when `should_stop()` returned True; the model is already restored."""


@dataclass(frozen=True)
class ProgressEvent:
    phase: str                              # one of PHASES
    step: int                               # 0 at the phase's start, then 1..total
    total: int                              # steps in the phase (drag: the iteration limit)
    handles: List[Tuple[float, float]]      # current handle positions, input pixels
    fraction: float = 0.0                   # of the whole drag's estimated work, never decreasing

    @property
    def text(self) -> str:
        return phase_text(self.phase, self.step, self.total)


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
