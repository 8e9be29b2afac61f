"""Saving a finished drag so that nothing is lost: checked up front, written atomically.

`check_output` runs before the model loads (a folder that can be written, a format PIL can
write RGB in); `atomic_save` writes a temporary file next to the target and renames it, so a
full disk leaves no truncated image; `save_numbered` reserves its file name with O_EXCL, so
concurrent saves into one folder never overwrite each other.
"""
from __future__ import annotations

import datetime
import io
import os
import tempfile
import threading
from pathlib import Path
from typing import Optional

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from ..infotext import exif_with_infotext

_name_lock = threading.Lock()


def format_for(path) -> str:
    """The PIL format that `path`'s suffix names and that can write an RGB image; else ValueError."""
    suffix = Path(path).suffix.lower()
    fmt = Image.registered_extensions().get(suffix)
    if fmt is None:
        raise ValueError(f"{path}: give a file name ending in an image type, e.g. .png")
    try:       # .psd is read-only, .xbm writes 1-bit only: try the real thing on one pixel
        Image.new("RGB", (1, 1)).save(io.BytesIO(), format=fmt)
    except Exception as e:
        raise ValueError(f"{path}: PIL cannot write an RGB image as {fmt} ({e}); use .png") from None
    return fmt


def check_folder(folder) -> None:
    """Prove a file can be created in `folder`, or in the nearest folder above it that exists when
    it does not yet: nothing is created here (a drag that fails later leaves no empty folder);
    the save creates it."""
    folder = Path(folder).absolute()
    probe_in = folder
    while not probe_in.exists() and probe_in.parent != probe_in:
        probe_in = probe_in.parent
    try:
        if not probe_in.is_dir():
            raise NotADirectoryError(f"{probe_in} is not a folder")
        fd, probe = tempfile.mkstemp(prefix=".easydrag-probe-", dir=probe_in)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise ValueError(f"cannot write into {folder}: {e.strerror or e}") from None


def check_output(path) -> str:
    """Everything that can be known about saving to `path` before the drag; returns the format."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise ValueError(f"{path} is not a regular file; give an image file name, e.g. result.png")
    fmt = format_for(path)
    check_folder(path.parent if str(path.parent) else ".")
    return fmt


INFOTEXT_FORMATS = ("PNG", "JPEG", "WEBP")     # the formats whose files carry the infotext


def infotext_save_kwargs(fmt: str, infotext: Optional[str]) -> dict:
    """The one format rule for the infotext, as the WebUI writes it: a PNG "parameters" text chunk,
    a JPEG or WebP EXIF UserComment (`infotext.exif_with_infotext`); other formats carry none."""
    if not infotext or fmt not in INFOTEXT_FORMATS:
        return {}
    if fmt == "PNG":
        info = PngInfo()
        info.add_text("parameters", infotext)
        return {"pnginfo": info}
    return {"exif": exif_with_infotext(infotext)}


def atomic_save(image: Image.Image, path, infotext: Optional[str] = None, fmt: Optional[str] = None) -> str:
    """Write to a temporary file in the same folder, then rename onto `path`; PNG, JPEG and WebP
    files carry the infotext (`infotext_save_kwargs`)."""
    path = Path(path)
    fmt = fmt or format_for(path)
    kw = infotext_save_kwargs(fmt, infotext)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            image.save(f, format=fmt, **kw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return str(path)


def save_numbered(folder, image: Image.Image, infotext: str, seed: int) -> str:
    """`NNNNN-<time>-<seed>.png` in `folder`, the number reserved atomically, the bytes written atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    with _name_lock:        # threads start counting after one another; O_EXCL covers processes
        n = sum(1 for f in os.listdir(folder) if f.endswith(".png"))
        while True:
            path = folder / f"{n:05d}-{stamp}-{seed}.png"
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                break
            except FileExistsError:
                n += 1
    try:
        return atomic_save(image, path, infotext, "PNG")
    except BaseException:
        try:
            os.unlink(path)         # give the reserved name back
        except OSError:
            pass
        raise


def fallback_path(preferred) -> Path:
    """Where a result goes when its own path failed: the system's temporary folder."""
    stem = Path(preferred).stem or "easydrag"
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(tempfile.gettempdir()) / f"easydrag-{stem}-{stamp}-{os.getpid()}.png"
