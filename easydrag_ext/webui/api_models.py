"""Request/response bodies of the EasyDrag API; valid on pydantic 1 (A1111) and 2 (Forge).

Types are kept loose on purpose (`Any` points, a dict of params): the precise checks and
their messages live in the host-free validators, so every mistake gets a 422 that says
exactly which point or parameter is wrong.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import BaseModel, Field


class DragRequestBody(BaseModel):
    image: str = Field(..., description="base64 PNG/JPEG/WebP (or a data URL); no file paths or URLs")
    prompt: str = Field("", description="what the image shows")
    negative_prompt: str = Field("", description="e_neg of prompt_cfg guidance (the txt2img negative prompt)")
    added_prompt: str = Field("", description="appended to the prompt as 'prompt, added' (official: "
                                              "'best quality, extremely detailed')")
    infotext: Optional[str] = Field(None, description="the image's WebUI generation parameters (default: "
                                    "its PNG 'parameters' chunk): clip skip, checkpoint check, and "
                                    "guidance 'auto' -> prompt_cfg")
    clip_skip: Optional[int] = Field(None, description="CLIP_stop_at_last_layers for the drag "
                                     "(default: the infotext's, else the setting)")
    points: List[Any] = Field(..., description="[[hx, hy, tx, ty], ...] in input-image pixels")
    mask: Optional[str] = Field(None, description="base64 mask, white = may change (mask_mode 'user')")
    params: Dict[str, Any] = Field(default_factory=dict, description="DragParams fields; see /schema")
    save: Optional[bool] = Field(None, description="save to the output folder (default: the setting)")
    include_mask_heat: bool = Field(False, description="return the auto-mask heat map as base64 PNG")


class DragResponseBody(BaseModel):
    image: str
    final_points: List[List[float]]
    iterations: int
    arrived: List[bool]
    info: str
    saved_path: Optional[str] = None
    mask_heat: Optional[str] = None
    timings: Dict[str, float] = Field(default_factory=dict)
    warnings: List[str] = Field(default_factory=list, description="e.g. a mask given with mask_mode 'auto', "
                                "a network that is not installed, a checkpoint that differs from the image's")
    model_mismatch: Optional[Dict[str, Any]] = None
    error: Optional[str] = Field(None, description="set when saving failed; the image is still here")
