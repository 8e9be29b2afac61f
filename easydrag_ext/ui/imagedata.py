"""Image bytes and images in text form (base64, data URLs), host-free, with limits and clear errors.

The one decoder of every front end: `decode_bytes` (the CLI's files, the tab's uploads, the
API's base64), so the same bytes give the same message everywhere; its messages name the role
("image", "mask"), never the transport.  Used by the API, by the tab's image components
(`decode_upload`), by the canvas JSON parser (mask data URL) and by the result JSON (mask heat
map).  Text input takes only inline image bytes: a file path or URL is refused up front so no
request can make the server read its own files.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Any, Optional

import numpy as np
from PIL import Image, ImageOps

from ..engine import inputs

MAX_IMAGE_BYTES = 32 * 1024 * 1024      # decoded bytes
MAX_IMAGE_SIDE = inputs.MAX_SIDE        # the engine's limits, checked on the header before decoding
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")

_DATA_URL_RE = re.compile(r"^data:image/(png|jpeg|jpg|webp);base64,", re.IGNORECASE)
# what a browser's FileReader makes of any file the user picks (image/*, text/plain, or no type)
_ANY_DATA_URL_RE = re.compile(r"^data:[^,;]*(?:;[^,;]*)*;base64,", re.IGNORECASE)
_PATH_OR_URL_RE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|file:|~|\.{1,2}[\\/]|/|[a-z]:[\\/]|\\\\)", re.IGNORECASE)
_BASE64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_IMAGE_SUFFIX_RE = re.compile(r"\.(png|jpe?g|webp|gif|bmp|tiff?)$", re.IGNORECASE)


def looks_like_path_or_url(text: str) -> bool:
    t = text.strip()
    return bool(_PATH_OR_URL_RE.match(t) or _IMAGE_SUFFIX_RE.search(t) or "\\" in t)


def _is_base64(t: str) -> bool:
    # A JPEG's base64 starts with "/9j/", which reads like an absolute path: text that is
    # valid base64 is image bytes to decode, never a path (none is ever opened).
    body = "".join(t.split())
    return len(body) % 4 == 0 and _BASE64_RE.fullmatch(body) is not None


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
    elif looks_like_path_or_url(t) and not _is_base64(t):
        raise ValueError(f"{what}: file paths and URLs are not accepted; send the image bytes as base64")
    return decode_bytes(_b64_bytes(t, what, max_bytes), what, formats=ALLOWED_FORMATS)


def _b64_bytes(t: str, what: str, max_bytes: int) -> bytes:
    if len(t) > (max_bytes * 4) // 3 + 4:
        raise ValueError(f"{what} is larger than {max_bytes // (1024 * 1024)} MiB")
    try:
        return base64.b64decode("".join(t.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not valid base64") from None


def decode_bytes(raw: bytes, role: str = "image", formats=None) -> Image.Image:
    """The one decoder: file bytes -> loaded PIL image (any mode), the engine's size limits read
    from the header first; every failure is a ValueError naming `role` and nothing else, so the
    tab, the API and the CLI say the same for the same bytes.  `formats`: accepted PIL formats
    (None: any PIL reads)."""
    if not raw:
        raise ValueError(f"{role} is an empty file (0 bytes)")
    img = open_checked(io.BytesIO(raw), role)
    if formats is not None and img.format not in formats:
        raise ValueError(f"{role} format {img.format} is not accepted; use PNG, JPEG or WebP")
    # Upright as a browser and the WebUI's img2img show it: points are placed on that picture,
    # in the tab, the API and the CLI alike.
    return _upright(load_checked(img, role))


class UnreadableUpload:
    """What a tab image component hands its listeners for an upload that is not a usable image:
    its handlers show `message` (the decoder's) instead of gradio failing with a blank error."""

    def __init__(self, message: str):
        self.message = message

    def __repr__(self) -> str:
        return f"UnreadableUpload({self.message!r})"


def decode_upload(payload: Any, role: str = "image", max_bytes: int = MAX_IMAGE_BYTES):
    """A browser upload as gradio hands it to a component -> PIL image, None (cleared), or an
    UnreadableUpload with the decoder's message.  Told apart by what the payload holds, not by
    gradio's version: a data URL (gradio 3), a dict with a data URL under "data" (gradio 3's
    file form), or a file gradio has put in its upload cache (gradio 4's FileData, its `path`).
    The decoder applies the EXIF orientation, as gradio's own preprocessing did."""
    try:
        raw = _upload_bytes(payload, role, max_bytes)
        if raw is None:
            return None
        return decode_bytes(raw, role)
    except ValueError as e:
        return UnreadableUpload(str(e))


def _upload_bytes(payload: Any, role: str, max_bytes: int) -> Optional[bytes]:
    if payload is None or payload == "":
        return None
    if isinstance(payload, dict) and isinstance(payload.get("data"), str):
        payload = payload["data"]
    if isinstance(payload, str):
        m = _ANY_DATA_URL_RE.match(payload.strip())
        if not m:
            raise ValueError(f"{role} upload is not a base64 data URL")
        return _b64_bytes(payload.strip()[m.end():], role, max_bytes)
    # gradio 4 hands a FileData object once it has checked the file is in its upload cache; a
    # plain dict naming a path is what any HTTP client can send, so it is never opened
    path = None if isinstance(payload, dict) else getattr(payload, "path", None)
    if isinstance(path, str) and path:
        return read_file_bytes(path, role, max_bytes)
    raise ValueError(f"{role} upload came in a form this tab cannot read ({type(payload).__name__})")


def read_file_bytes(path, role: str = "image", max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """A file's bytes under the same size limit as an upload or a base64 image (never more
    than `max_bytes` + 1 read)."""
    with open(path, "rb") as f:
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ValueError(f"{role} is larger than {max_bytes // (1024 * 1024)} MiB")
    return raw


def _upright(img: Image.Image) -> Image.Image:
    try:
        upright = ImageOps.exif_transpose(img)
    except Exception:       # a broken EXIF block must not refuse a readable picture
        return img
    if upright is not img:
        upright.format = img.format
    return upright


def open_checked(fp, role: str = "image") -> Image.Image:
    """Open (header only) and apply the engine's size limits before any pixel is decoded.

    `role` ("image" or "mask") names the input; the message carries nothing of the source (no
    file name, no PIL object address), so it reads the same from every front end.
    """
    try:
        img = Image.open(fp)
    except Image.DecompressionBombError:
        raise ValueError(f"{role} has more pixels than PIL will open; at most {inputs.MAX_PIXELS} "
                         f"({inputs.MAX_SIDE}x{inputs.MAX_SIDE}) are supported") from None
    except Exception:
        raise ValueError(f"{role} is not an image PIL can read (not a picture, or a format it "
                         f"does not know)") from None
    inputs.check_size(*img.size, what=role)
    return img


def load_checked(img: Image.Image, role: str = "image") -> Image.Image:
    try:
        img.load()
    except Exception:
        raise ValueError(f"{role} is truncated or corrupt") from None
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
