"""Images in text form (base64, data URLs), host-free, with limits and clear errors.

Used by the API, by the canvas JSON parser (mask data URL) and by the result JSON
(mask heat map).  Only inline image bytes are accepted: a file path or URL is refused
up front so no request can make the server read its own files.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Optional

import numpy as np
from PIL import Image

from ..engine import inputs

MAX_IMAGE_BYTES = 32 * 1024 * 1024      # decoded bytes
MAX_IMAGE_SIDE = inputs.MAX_SIDE        # the engine's limits, checked on the header before decoding
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")

_DATA_URL_RE = re.compile(r"^data:image/(png|jpeg|jpg|webp);base64,", re.IGNORECASE)
_PATH_OR_URL_RE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|file:|~|\.{1,2}[\\/]|/|[a-z]:[\\/]|\\\\)", re.IGNORECASE)
_IMAGE_SUFFIX_RE = re.compile(r"\.(png|jpe?g|webp|gif|bmp|tiff?)$", re.IGNORECASE)


def looks_like_path_or_url(text: str) -> bool:
    t = text.strip()
    return bool(_PATH_OR_URL_RE.match(t) or _IMAGE_SUFFIX_RE.search(t) or "\\" in t)


def decode_image(text: Optional[str], what: str = "image", max_bytes: int = MAX_IMAGE_BYTES) -> Image.Image:
    """base64 or `data:image/...;base64,` text -> loaded PIL image; ValueError naming `what`."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what} must be a non-empty base64 string")
    t = text.strip()
    if t.startswith("data:"):
        m = _DATA_URL_RE.match(t)
        if not m:
            raise ValueError(f"{what} is not a PNG, JPEG or WebP base64 data URL")
        t = t[m.end():]
    elif looks_like_path_or_url(t):
        raise ValueError(f"{what}: file paths and URLs are not accepted; send the image bytes as base64")
    if len(t) > (max_bytes * 4) // 3 + 4:
        raise ValueError(f"{what} is larger than {max_bytes // (1024 * 1024)} MiB")
    try:
        raw = base64.b64decode("".join(t.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not valid base64") from None
    img = open_checked(io.BytesIO(raw), what)
    if img.format not in ALLOWED_FORMATS:
        raise ValueError(f"{what} format {img.format} is not accepted; use PNG, JPEG or WebP")
    return load_checked(img, what)


def open_checked(fp, what: str = "image", role: str = "") -> Image.Image:
    """Open (header only) and apply the engine's size limits before any pixel is decoded.

    `what` names the source in read errors (e.g. "--image cat.png"); `role` ("image" or "mask",
    default `what`) names it in size errors, which then read the same from every front end.
    """
    role = role or what
    try:
        img = Image.open(fp)
    except Image.DecompressionBombError:
        raise ValueError(f"{role} has more pixels than PIL will open; at most {inputs.MAX_PIXELS} "
                         f"({inputs.MAX_SIDE}x{inputs.MAX_SIDE}) are supported") from None
    except Exception as e:
        raise ValueError(f"{what} is not an image PIL can read ({e})") from None
    inputs.check_size(*img.size, what=role)
    return img


def load_checked(img: Image.Image, what: str = "image") -> Image.Image:
    try:
        img.load()
    except Exception:
        raise ValueError(f"{what} is truncated or corrupt") from None
    return img


def encode_png(img: Image.Image, data_url: bool = False) -> str:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    return f"data:image/png;base64,{b64}" if data_url else b64


def mask_from_image(img: Image.Image, size, what: str = "mask") -> np.ndarray:
    """A mask image -> bool (H, W) by the engine's one rule (alpha where it varies, else brightness)."""
    if tuple(img.size) != tuple(size):
        raise ValueError(f"{what} is {img.size[0]}x{img.size[1]} but the image is {size[0]}x{size[1]}")
    return inputs.mask_array(img)


def heat_to_data_url(heat: Optional[np.ndarray]) -> Optional[str]:
    if heat is None:
        return None
    arr = np.nan_to_num(np.asarray(heat, dtype=np.float32), nan=0.0)
    arr = (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return encode_png(Image.fromarray(arr, mode="L"), data_url=True)
