"""DragParams <-> WebUI infotext (a PNG "parameters" chunk, a JPEG/WebP EXIF UserComment), host-free.

One mapping, built from `DragParams.FIELDS`, gives every field its infotext key, so
the tab, the API, PNG Info and the standalone app write and read the same text.
The line format is the WebUI's (`Key: value, Key: "quoted, value"`) so the host's
`parse_generation_parameters` reads it; `parse_infotext` here is a host-free reader of
the same format for the standalone app and the tests; `read_infotext` finds the text in an
image's PNG chunk or EXIF the way the WebUI's `images.read_info_from_image` does.
"""
from __future__ import annotations

import json
import re
import struct
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .params import FIELDS, DragParams

PREFIX = "EasyDrag"
POINTS_KEY = f"{PREFIX} points"
VERSION_KEY = f"{PREFIX} version"
# Fields that map onto a standard WebUI key instead of a prefixed one.  "CFG scale" is txt2img's,
# so a pasted txt2img image brings its scale for prompt_cfg guidance.  Not the seed: it is
# "EasyDrag seed", written only when set, because the host pastes a "Seed" key into img2img's
# seed on "Send to img2img" (an always-written "Seed: 0" overwrote it).
STANDARD_KEYS: Dict[str, str] = {"cfg_scale": "CFG scale"}
HOST_SEED_KEY = "Seed"          # read from older EasyDrag results
# Keys the host itself writes or defaults while parsing; ours must never collide with them
# (e.g. the host fills "Mask mode" with "Inpaint masked" when it is missing).
HOST_KEYS = frozenset({
    "Steps", "Sampler", "Schedule type", "CFG scale", "Size", "Model hash", "Model", "Mask mode",
    "Masked content", "Inpaint area", "Denoising strength", "Clip skip", "Version", "Prompt",
    "Negative prompt", "RNG", "Emphasis", "VAE", "VAE hash", "Hires resize", "Variation seed",
})
# The WebUI's key grammar: a word character, then word characters, spaces, '-' or '/'.
KEY_RE = re.compile(r"^\w[\w \-/]+$")
_PARAM_RE = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_SIZE_RE = re.compile(r"^(\d+)x(\d+)$")


def _key_for(name: str, label: str) -> str:
    if name in STANDARD_KEYS:
        return STANDARD_KEYS[name]
    return f"{PREFIX} {label[0].lower()}{label[1:]}"


# field name -> infotext key, in DragParams order
FIELD_KEYS: Dict[str, str] = {f.name: _key_for(f.name, f.metadata["info"].label) for f in FIELDS}
KEY_FIELDS: Dict[str, str] = {v: k for k, v in FIELD_KEYS.items()}


def quote(value: Any) -> str:
    text = str(value)
    if "," not in text and "\n" not in text and ":" not in text and not text.startswith('"'):
        return text
    return json.dumps(text, ensure_ascii=False)


def unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def format_value(name: str, value: Any) -> str:
    if name == "feature_blocks":
        return " ".join(str(int(v)) for v in value)
    return str(value)


def format_points(points: Sequence[Sequence[float]]) -> str:
    def num(v):
        v = float(v)
        return int(v) if v.is_integer() else round(v, 2)
    return json.dumps([[num(v) for v in p] for p in points], separators=(",", ":"))


def build_infotext(prompt: str, negative_prompt: str, params: DragParams,
                   points: Sequence[Sequence[float]], size: Tuple[int, int],
                   model_hash: Optional[str] = None, version: Optional[str] = None,
                   model_name: Optional[str] = None, extra: Optional[Mapping[str, Any]] = None) -> str:
    """The WebUI-style infotext: prompt, negative prompt, then one `Key: value` line.

    `points` are `[hx, hy, tx, ty]` in input pixels; only non-default params are written,
    so a default run reads back as the defaults; a prompt_cfg run always writes its CFG
    scale, as txt2img does.  `model_hash` / `model_name` are the host's `Model hash` /
    `Model` keys (PNG Info and the checkpoint override read them).  `extra`: host pairs
    written as they are (e.g. "Clip skip", "Lora hashes", "TI hashes"), before the version.
    """
    pairs: List[Tuple[str, Any]] = [("Size", f"{int(size[0])}x{int(size[1])}")]
    if model_hash:
        pairs.append(("Model hash", model_hash))
    if model_name:
        pairs.append(("Model", model_name))
    pairs.append((POINTS_KEY, format_points(points)))
    pairs.append((FIELD_KEYS["mask_mode"], params.mask_mode))
    written = params.non_defaults()
    if params.guidance_mode == "prompt_cfg":
        written["cfg_scale"] = params.cfg_scale
    for name in FIELD_KEYS:
        if name in written and name != "mask_mode":
            pairs.append((FIELD_KEYS[name], format_value(name, written[name])))
    for key, value in (extra or {}).items():
        if value not in (None, ""):
            pairs.append((key, value))
    if version:
        pairs.append((VERSION_KEY, version))
    line = ", ".join(f"{k}: {quote(v)}" for k, v in pairs)
    text = (prompt or "").strip()
    if negative_prompt and negative_prompt.strip():
        text += f"\nNegative prompt: {negative_prompt.strip()}"
    return f"{text}\n{line}" if text else line


def parse_infotext(text: str) -> Dict[str, str]:
    """Host-free reader of the WebUI format: {"Prompt", "Negative prompt", "Size-1", ...}."""
    res: Dict[str, str] = {}
    prompt_lines: List[str] = []
    negative_lines: List[str] = []
    *lines, last = (text or "").strip().split("\n")
    if len(_PARAM_RE.findall(last)) < 3:
        lines.append(last)
        last = ""
    in_negative = False
    for line in lines:
        line = line.strip()
        if line.startswith("Negative prompt:"):
            in_negative = True
            line = line[len("Negative prompt:"):].strip()
        (negative_lines if in_negative else prompt_lines).append(line)
    for key, value in _PARAM_RE.findall(last):
        value = unquote(value.strip())
        m = _SIZE_RE.match(value)
        if m:
            res[f"{key}-1"], res[f"{key}-2"] = m.group(1), m.group(2)
        else:
            res[key] = value
    res["Prompt"] = "\n".join(prompt_lines)
    res["Negative prompt"] = "\n".join(negative_lines)
    return res


def has_easydrag(parsed: Mapping[str, Any]) -> bool:
    return any(str(k).startswith(PREFIX + " ") for k in parsed)


def params_from_parsed(parsed: Mapping[str, Any]) -> DragParams:
    """DragParams from a parsed infotext; absent keys are defaults, bad values name the key."""
    values: Dict[str, Any] = {}
    for name, key in FIELD_KEYS.items():
        if key in parsed and parsed[key] not in (None, ""):
            values[name] = parsed[key]
    if "seed" not in values and has_easydrag(parsed) and parsed.get(HOST_SEED_KEY) not in (None, ""):
        values["seed"] = parsed[HOST_SEED_KEY]      # results written before the seed had its own key
    try:
        return DragParams.from_dict(values)
    except ValueError as e:
        raise ValueError(f"infotext has a bad EasyDrag value: {e}") from None


def points_from_parsed(parsed: Mapping[str, Any]) -> List[List[float]]:
    """The `[[hx, hy, tx, ty], ...]` list stored under `EasyDrag points` ([] if absent)."""
    raw = parsed.get(POINTS_KEY)
    if raw in (None, ""):
        return []
    try:
        points = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise ValueError(f"infotext '{POINTS_KEY}' is not JSON: {str(raw)[:80]!r}") from None
    if not isinstance(points, list) or not all(
            isinstance(p, list) and len(p) == 4 and all(isinstance(v, (int, float)) for v in p)
            for p in points):
        raise ValueError(f"infotext '{POINTS_KEY}' must be a list of [hx, hy, tx, ty]")
    return [[float(v) for v in p] for p in points]


# Where the WebUI keeps the infotext of a JPEG or WebP: the Exif IFD's UserComment, in piexif's
# `UserComment.dump(text, encoding="unicode")` layout (an 8-byte character-code prefix, then
# UTF-16 big-endian), which `images.read_info_from_image` reads back with piexif.
EXIF_IFD = 0x8769
USER_COMMENT = 0x9286
_CODES = {b"UNICODE\0": "utf_16_be", b"ASCII\0\0\0": "ascii", b"JIS\0\0\0\0\0": "shift_jis"}


def encode_user_comment(text: str) -> bytes:
    return b"UNICODE\0" + text.encode("utf_16_be")


def exif_with_infotext(text: str) -> bytes:
    """An EXIF block (`Exif\\0\\0` + big-endian TIFF) whose only entry is the Exif IFD's UserComment,
    typed UNDEFINED as the standard and piexif have it.  Built by hand: PIL's `Exif` writes an
    unknown tag's bytes as BYTE, which piexif reads as a tuple of ints the WebUI cannot decode."""
    comment = encode_user_comment(text)
    ifd0_at, exif_ifd_at = 8, 8 + 2 + 12 + 4
    data_at = exif_ifd_at + 2 + 12 + 4
    tiff = (b"MM\0\x2a" + struct.pack(">I", ifd0_at)
            + struct.pack(">HHHII", 1, EXIF_IFD, 4, 1, exif_ifd_at) + struct.pack(">I", 0)
            + struct.pack(">HHHII", 1, USER_COMMENT, 7, len(comment), data_at) + struct.pack(">I", 0)
            + comment)
    return b"Exif\0\0" + tiff


def decode_user_comment(data: bytes) -> str:
    """As the WebUI reads it: by the character-code prefix, else the bytes as UTF-8, dropping what
    is not (its fallback when piexif cannot decode)."""
    encoding = _CODES.get(bytes(data[:8]))
    if encoding is not None:
        try:
            return bytes(data[8:]).decode(encoding)
        except UnicodeDecodeError:
            pass
    return bytes(data).decode("utf8", errors="ignore")


def read_infotext(image) -> Optional[str]:
    """The infotext an image came with (a PIL image: its PNG "parameters" text, else its EXIF
    UserComment), or None.  A broken EXIF block reads as none: an image must always load."""
    info = getattr(image, "info", None)
    if not isinstance(info, dict):
        return None
    text = info.get("parameters")
    if isinstance(text, str) and text.strip():
        return text
    if not info.get("exif"):
        return None
    try:
        comment = image.getexif().get_ifd(EXIF_IFD).get(USER_COMMENT)
    except Exception:
        return None
    if isinstance(comment, str):        # PIL decoded it already (an ASCII-typed tag)
        text = comment
    elif isinstance(comment, (bytes, bytearray)):
        text = decode_user_comment(comment)
    else:
        return None
    text = text.strip("\0")
    return text if text.strip() else None
