"""The infotext in saved files: PNG text chunk, JPEG/WebP EXIF UserComment as the WebUI writes it
(piexif's "unicode" layout, read by `images.read_info_from_image`), and read back by our reader.
Before: JPEG and WebP results carried no infotext."""
import io
import json
import struct

import numpy as np
import pytest
from PIL import Image

from easydrag_ext import cli
from easydrag_ext.front.saving import atomic_save
from easydrag_ext.infotext import POINTS_KEY, decode_user_comment, parse_infotext, read_infotext

TEXT = ("a café by the sea, 猫\nNegative prompt: blurry\nSteps: 20, Seed: 3, Size: 64x64, "
        'EasyDrag points: "[[20, 20, 36, 28]]"')


def _picture():
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".jpeg", ".webp"])
def test_saved_files_carry_the_infotext_and_read_back(tmp_path, suffix):
    path = atomic_save(_picture(), tmp_path / f"out{suffix}", TEXT)
    with Image.open(path) as img:
        assert read_infotext(img) == TEXT


def _exif_user_comment(tiff: bytes):
    """(type, bytes) of UserComment in the Exif sub-IFD, walked by hand as piexif does."""
    order = {b"II": "<", b"MM": ">"}[tiff[:2]]

    def entries(offset):
        (n,) = struct.unpack(order + "H", tiff[offset:offset + 2])
        for i in range(n):
            tag, typ, count, value = struct.unpack(order + "HHII", tiff[offset + 2 + 12 * i: offset + 14 + 12 * i])
            yield tag, typ, count, value

    (ifd0,) = struct.unpack(order + "I", tiff[4:8])
    exif_ifd = next(v for tag, _t, _c, v in entries(ifd0) if tag == 0x8769)
    typ, count, at = next((t, c, v) for tag, t, c, v in entries(exif_ifd) if tag == 0x9286)
    return typ, tiff[at:at + count]


@pytest.mark.parametrize("suffix", [".jpg", ".webp"])
def test_jpeg_and_webp_hold_the_webuis_unicode_user_comment(tmp_path, suffix):
    path = atomic_save(_picture(), tmp_path / f"out{suffix}", TEXT)
    with Image.open(path) as img:
        raw = img.info["exif"]
    tiff = raw[6:] if raw.startswith(b"Exif\0\0") else raw
    typ, value = _exif_user_comment(tiff)
    assert typ == 7                               # UNDEFINED, as the EXIF standard types it
    assert value == b"UNICODE\0" + TEXT.encode("utf_16_be")


def test_other_formats_save_without_infotext_and_unknown_comments_read_like_the_webui(tmp_path):
    path = atomic_save(_picture(), tmp_path / "out.bmp", TEXT)
    with Image.open(path) as img:
        assert read_infotext(img) is None
    assert decode_user_comment(b"ASCII\0\0\0plain words") == "plain words"
    assert decode_user_comment(b"\0" * 8 + "utf-8 words".encode()) == "\0" * 8 + "utf-8 words"
    assert read_infotext(Image.new("RGB", (4, 4))) is None


def test_the_cli_writes_a_jpeg_with_its_infotext(tmp_path, capsys):
    arr = np.full((32, 32, 3), 120, np.uint8)
    arr[10:18, 6:14] = (220, 40, 40)
    Image.fromarray(arr).save(tmp_path / "in.png")
    for suffix in (".jpg",):          # one drag: the other formats are the same atomic_save
        out = tmp_path / f"out{suffix}"
        assert cli.main(["drag", "--image", str(tmp_path / "in.png"), "--points", "10,14,16,14",
                         "--out", str(out), "--prompt", "a red square", "--max-iterations", "2"]) == 0
        with Image.open(out) as img:
            parsed = parse_infotext(read_infotext(img))
        assert parsed["Prompt"] == "a red square" and json.loads(parsed[POINTS_KEY]) == [[10, 14, 16, 14]]


def test_the_tab_restores_points_and_prompt_from_a_jpeg_result(tmp_path):
    from easydrag_ext.ui.imagedata import decode_upload
    from easydrag_ext.ui.restore import make_restore

    from easydrag_ext.infotext import build_infotext
    from easydrag_ext.params import DragParams

    text = build_infotext("a red disc", "", DragParams(max_iterations=7), [[20, 20, 36, 28]], (64, 48))
    path = atomic_save(_picture(), tmp_path / "out.jpg", text)
    import base64

    upload = decode_upload("data:image/jpeg;base64," + base64.b64encode(open(path, "rb").read()).decode())
    assert read_infotext(upload) == text
    box, *fields = make_restore(parse_infotext)(upload)
    assert json.loads(box["value"])["points"] == [[20, 20, 36, 28]]
    assert any(f.get("value") == 7 for f in fields)
