"""One typed, validated parameter model for every front end.

The UI, the HTTP API, the CLI and the infotext all read the same field list
(`FIELDS`), so a label or range changes in one place only.  Validation raises
`ValueError` naming the field, which every front end turns into a clear message.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

MASK_MODES = ("auto", "user", "none")
# reference: eq. 7, the prompt is its own negative (w = reference_scale); prompt_cfg: the
# official generated-image mode, the real negative prompt (w = cfg_scale); auto: prompt_cfg when
# the image came with WebUI infotext (the engine: when a negative prompt is passed), else reference.
GUIDANCE_MODES = ("auto", "reference", "prompt_cfg")
NUM_OUTPUT_BLOCKS = 12  # SD-1.x UNet decoder


@dataclass(frozen=True)
class FieldInfo:
    """How one DragParams field is shown, parsed and checked."""

    label: str
    help: str
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    step: Optional[float] = None
    choices: Optional[Tuple[str, ...]] = None


def _info(label, help, minimum=None, maximum=None, step=None, choices=None):
    return FieldInfo(label, help, minimum, maximum, step, choices)


@dataclass(frozen=True)
class DragParams:
    """Parameters of one drag; defaults are the paper's and the official code's."""

    inversion_steps: int = field(default=50, metadata={"info": _info(
        "Inversion steps", "DDIM steps of the full schedule (inversion and denoising).", 2, 1000, 1)})
    drag_step_index: int = field(default=35, metadata={"info": _info(
        "Drag step", "Inversion steps run before dragging; 35 of 50 is t=681.", 1, 1000, 1)})
    max_iterations: int = field(default=50, metadata={"info": _info(
        "Max drag iterations", "Upper bound on optimisation steps of the latent.", 0, 1000, 1)})
    lr: float = field(default=0.01, metadata={"info": _info(
        "Learning rate", "Adam learning rate on the latent.", 1e-5, 1.0, 1e-4)})
    motion_step: int = field(default=12, metadata={"info": _info(
        "Motion step", "Pixels the supervision point moves toward the target per update.", 1, 256, 1)})
    snap_radius: float = field(default=18.0, metadata={"info": _info(
        "Snap radius", "Closer than this (pixels), the next point is the target itself.", 0, 1024, 1)})
    mask_threshold: float = field(default=0.4, metadata={"info": _info(
        "Mask threshold", "Auto mask: normalised gradient above this is editable.", 0.0, 0.999, 0.01)})
    mask_mode: str = field(default="auto", metadata={"info": _info(
        "Mask mode", "auto: from the gradient; user: the painted mask; none: no mask term.",
        choices=MASK_MODES)})
    mask_weight: float = field(default=0.1, metadata={"info": _info(
        "Mask weight", "Weight of the keep-the-rest term outside the editable mask.", 0.0, 100.0, 0.01)})
    arrived_weight: float = field(default=0.1, metadata={"info": _info(
        "Arrived weight", "Weight of a point's term once it has reached its target.", 0.0, 100.0, 0.01)})
    confine_to_mask: bool = field(default=False, metadata={"info": _info(
        "Confine update to mask", "Change the latent only near the editable mask (auto or painted); "
        "off is the paper, where every latent cell may change.")})
    confine_margin: int = field(default=24, metadata={"info": _info(
        "Confine margin", "With the update confined: how far (pixels) beyond the mask the latent may change.",
        0, 1024, 1)})
    reference_scale: float = field(default=4.0, metadata={"info": _info(
        "Reference scale", "w in eps_plain + w * (eps_ref - eps_plain) while denoising.", 0.0, 20.0, 0.1)})
    guidance_mode: str = field(default="auto", metadata={"info": _info(
        "Guidance mode", "reference: the prompt is its own negative, w = reference scale; prompt_cfg: "
        "the negative prompt with w = CFG scale (for txt2img images); auto: prompt_cfg when the image "
        "came with WebUI infotext, else reference.", choices=GUIDANCE_MODES)})
    cfg_scale: float = field(default=7.5, metadata={"info": _info(
        "CFG scale", "w in eps_neg + w * (eps_prompt - eps_neg) while denoising (prompt_cfg mode); "
        "taken from the image's infotext.", 0.0, 30.0, 0.5)})
    reference_steps: int = field(default=20, metadata={"info": _info(
        "Reference steps", "Last denoising steps that use reference guidance.", 0, 1000, 1)})
    reference_during_drag: bool = field(default=True, metadata={"info": _info(
        "Reference during drag", "Decoder self-attention reads the original latent while dragging.")})
    feature_blocks: Tuple[int, ...] = field(default=(5, 8), metadata={"info": _info(
        "Feature blocks", "UNet output blocks whose features are concatenated.", 0, NUM_OUTPUT_BLOCKS - 1)})
    resize_long_side: int = field(default=512, metadata={"info": _info(
        "Resize long side", "Work at this long side (SD: multiples of 64); 0 keeps the input size.", 0, 4096, 16)})
    low_vram: bool = field(default=False, metadata={"info": _info(
        "Low VRAM drag", "Recompute the UNet's activations during the drag's backward instead of keeping "
        "them: same result, much less GPU memory, about 1.5x the drag phase's compute. On by default under "
        "--medvram / --lowvram.")})
    seed: int = field(default=0, metadata={"info": _info(
        "Seed", "Seed of the run (the method itself is deterministic).", 0, 2**32 - 1, 1)})

    def __post_init__(self):
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, _coerce(f, getattr(self, f.name)))
        if self.drag_step_index > self.inversion_steps:
            raise ValueError(f"drag_step_index ({self.drag_step_index}) must be at most "
                             f"inversion_steps ({self.inversion_steps})")
        if self.reference_steps > self.drag_step_index:
            raise ValueError(f"reference_steps ({self.reference_steps}) must be at most "
                             f"drag_step_index ({self.drag_step_index})")
        # 16 lets small bundled models work at their size; SD sizes are rounded to multiples of 64.
        if 0 < self.resize_long_side < 16:
            raise ValueError(f"resize_long_side must be 0 or at least 16, got {self.resize_long_side}")

    # -- conversions shared by the front ends -------------------------------------------
    def to_dict(self) -> Dict[str, Any]:
        d = dataclasses.asdict(self)
        d["feature_blocks"] = list(self.feature_blocks)
        return d

    @classmethod
    def from_dict(cls, data: Optional[Mapping[str, Any]]) -> "DragParams":
        """Build from a mapping; unknown keys are an error, not silently dropped."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ValueError(f"params must be an object, got {type(data).__name__}")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown parameter(s): {', '.join(map(str, unknown))}")
        return cls(**dict(data))

    def non_defaults(self) -> Dict[str, Any]:
        default = DragParams()
        return {k: v for k, v in self.to_dict().items() if v != default.to_dict()[k]}

    def replace(self, **changes) -> "DragParams":
        return dataclasses.replace(self, **changes)


FIELDS: Tuple[dataclasses.Field, ...] = tuple(dataclasses.fields(DragParams))


def field_info(name: str) -> FieldInfo:
    for f in FIELDS:
        if f.name == name:
            return f.metadata["info"]
    raise KeyError(name)


def _coerce(f: dataclasses.Field, value: Any) -> Any:
    """Check and normalise one value; errors name the field."""
    info: FieldInfo = f.metadata["info"]
    name = f.name
    if f.type in ("bool", bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        raise ValueError(f"{name} must be true or false, got {value!r}")
    if f.type in ("str", str):
        if not isinstance(value, str) or value not in info.choices:
            raise ValueError(f"{name} must be one of {', '.join(info.choices)}, got {value!r}")
        return value
    if name == "feature_blocks":
        if isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        try:
            blocks = tuple(sorted({_as_int(name, v) for v in value}))
        except TypeError:
            raise ValueError(f"{name} must be a list of output block indices, got {value!r}") from None
        if not blocks or any(b < info.minimum or b > info.maximum for b in blocks):
            raise ValueError(f"{name} must be 1 to {NUM_OUTPUT_BLOCKS} indices in "
                             f"[{info.minimum}, {info.maximum}], got {value!r}")
        return blocks
    number = _as_int(name, value) if f.type in ("int", int) else _as_float(name, value)
    if info.minimum is not None and number < info.minimum:
        raise ValueError(f"{name} must be >= {info.minimum}, got {value!r}")
    if info.maximum is not None and number > info.maximum:
        raise ValueError(f"{name} must be <= {info.maximum}, got {value!r}")
    return number


def _as_float(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def _as_int(name: str, value: Any) -> int:
    number = _as_float(name, value)
    if number != int(number):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(number)
