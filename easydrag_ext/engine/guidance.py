"""Which guidance the denoising uses: one rule, eps = e_neg + w * (e_prompt - e_neg).

`reference` (the paper's eq. 7) is the special case in which the prompt is its own negative
and w is `reference_scale`; `prompt_cfg` (the official code's generated-image mode,
`neg_same_prompt=False`) takes the real negative prompt and w = `cfg_scale`.  In the last
`ref_steps` denoising steps e_prompt reads decoder self-attention K/V from the inversion
latent; e_neg is always a plain call.  The inversion and the drag use the prompt only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..params import DragParams


@dataclass(frozen=True)
class Guidance:
    mode: str                        # "reference" or "prompt_cfg" (never "auto")
    scale: float                     # w
    ref_steps: int                   # last denoising steps whose e_prompt reads the reference
    negative_prompt: Optional[str]   # text of e_neg; None: the prompt itself


def resolve_mode(mode: str, has_negative: bool) -> str:
    """"auto" -> prompt_cfg when the caller has a negative prompt from the image, else reference."""
    if mode == "auto":
        return "prompt_cfg" if has_negative else "reference"
    return mode


def resolve(params: DragParams, negative_prompt: Optional[str]) -> Guidance:
    """The guidance of a drag; `negative_prompt` None means the caller gave none (not even "")."""
    mode = resolve_mode(params.guidance_mode, negative_prompt is not None)
    if mode == "reference":
        # w = 0 leaves only the plain prediction: no reference calls are needed at all
        ref_steps = params.reference_steps if params.reference_scale != 0 else 0
        return Guidance(mode, params.reference_scale, ref_steps, None)
    return Guidance(mode, params.cfg_scale, params.reference_steps, negative_prompt or "")
