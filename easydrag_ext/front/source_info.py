"""What the input image's WebUI infotext says about how it was made, host-free.

Read when the image arrives with a generation infotext (Send to EasyDrag, PNG Info, an uploaded
PNG, the API's `infotext`): the drag then runs like the txt2img that made it (clip skip, the
checkpoint check, "auto" guidance -> prompt_cfg).  The tab keeps it as JSON in a hidden textbox.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Optional

# keys that only a generation infotext has (the host adds defaults for others while parsing)
_GENERATION_KEYS = ("Steps", "Sampler", "CFG scale", "Model hash", "Seed")
MAX_CLIP_SKIP = 12


@dataclass(frozen=True)
class SourceInfo:
    clip_skip: Optional[int] = None
    model_hash: Optional[str] = None
    model_name: Optional[str] = None
    vae_hash: Optional[str] = None
    vae_name: Optional[str] = None
    cfg_scale: Optional[float] = None

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, sort_keys=True)


def check_clip_skip(value: Any, what: str = "clip_skip") -> Optional[int]:
    if value in (None, ""):
        return None
    try:
        n = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a whole number from 1 to {MAX_CLIP_SKIP}, got {value!r}") from None
    if n != int(n) or not 1 <= n <= MAX_CLIP_SKIP:
        raise ValueError(f"{what} must be a whole number from 1 to {MAX_CLIP_SKIP}, got {value!r}")
    return int(n)


def from_parsed(parsed: Optional[Mapping[str, Any]]) -> Optional[SourceInfo]:
    """SourceInfo from `parse_generation_parameters` output (values are str), or None when the
    text is not a generation infotext.  Bad values are dropped: an image must always load."""
    if not parsed or not any(parsed.get(k) not in (None, "") for k in _GENERATION_KEYS):
        return None

    def text(key):
        v = parsed.get(key)
        return str(v).strip() or None if v is not None else None

    try:
        clip_skip = check_clip_skip(parsed.get("Clip skip"))
    except ValueError:
        clip_skip = None
    try:
        cfg = float(parsed["CFG scale"]) if parsed.get("CFG scale") not in (None, "") else None
    except (TypeError, ValueError):
        cfg = None
    return SourceInfo(clip_skip if clip_skip is not None else 1, text("Model hash"), text("Model"),
                      text("VAE hash"), text("VAE"), cfg)


def from_json(text: Optional[str]) -> Optional[SourceInfo]:
    """The hidden textbox's value -> SourceInfo ('' or None: the image came without infotext)."""
    if not text or not str(text).strip():
        return None
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError("source info is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("source info must be an object")
    known = set(SourceInfo.__dataclass_fields__)
    data = {k: v for k, v in data.items() if k in known}
    if "clip_skip" in data:
        data["clip_skip"] = check_clip_skip(data["clip_skip"], "source clip skip")
    return SourceInfo(**data)
