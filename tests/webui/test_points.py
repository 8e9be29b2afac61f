"""The canvas JSON contract and image data decoding (host-free)."""
import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from easydrag_ext.ui.imagedata import encode_png
from easydrag_ext.ui.points import parse_canvas_json, result_json

SIZE = (64, 48)


def mask_url(size=SIZE, box=(8, 8, 32, 32), mode="L"):
    img = Image.new(mode, size, 0)
    img.paste(255 if mode == "L" else (255, 255, 255, 255), box)
    return encode_png(img, data_url=True)


def test_full_object_with_mask():
    c = parse_canvas_json(json.dumps({"points": [[1, 2, 3, 4], [10.5, 5, 20, 40]], "mask": mask_url(),
                                      "size": list(SIZE)}), SIZE)
    assert c.handles == [(1, 2), (10.5, 5)] and c.targets == [(3, 4), (20, 40)]
    assert c.mask.shape == (48, 64) and c.mask[10, 10] and not c.mask[40, 40]


def test_bare_list_and_null_mask():
    c = parse_canvas_json("[[1, 2, 3, 4]]", SIZE)
    assert (c.handles, c.targets, c.mask) == ([(1, 2)], [(3, 4)], None)


def test_rgba_canvas_mask_uses_opacity():
    c = parse_canvas_json(json.dumps({"points": [[1, 2, 3, 4]], "mask": mask_url(mode="RGBA")}), SIZE)
    assert c.mask[10, 10] and not c.mask[40, 40]


@pytest.mark.parametrize("text,match", [
    ("", "no points"),
    ("{", "not valid JSON"),
    ('{"mask": null}', '"points" key'),
    ("[[1, 2, 3]]", "point 1 must be [hx, hy, tx, ty]"),
    ("[[1, 2, 3, 4], [5, 6]]", "point 2 must be"),
    ("[1, 2, 3, 4]", "flat list"),
    ("[[1, 2, 3, 64]]", "target 1 at (3, 64) is off the 64x48 image"),
    ("[[-1, 2, 3, 4]]", "handle 1 at (-1, 2) is off the 64x48 image"),
    ('[[1, 2, 3, "4"]]', "4 finite numbers"),
    ("[[1, 2, 3, true]]", "4 finite numbers"),
    ('{"points": [[1, 2, 3, 4]], "size": [32, 32]}', "the canvas is 32x32 but the image is 64x48"),
    ('{"points": [[1, 2, 3, 4]], "size": "big"}', '"size" must be [width, height]'),
    ('{"points": [[1, 2, 3, 4]], "mask": "data:image/jpeg;base64,AAAA"}', "PNG data URL"),
    ('{"points": [[1, 2, 3, 4]], "mask": "data:image/png;base64,!!!"}', "not valid base64"),
    ('{"points": [[1, 2, 3, 4]], "mask": 5}', "PNG data URL"),
])
def test_errors_are_precise(text, match):
    with pytest.raises(ValueError, match=None) as e:
        parse_canvas_json(text, SIZE)
    assert match in str(e.value)


def test_wrong_mask_size_is_named():
    with pytest.raises(ValueError, match="mask is 32x32 but the image is 64x48"):
        parse_canvas_json(json.dumps({"points": [[1, 2, 3, 4]], "mask": mask_url((32, 32))}), SIZE)


def test_result_json_shape():
    heat = np.linspace(0, 1, 64 * 48, dtype=np.float32).reshape(48, 64)
    data = json.loads(result_json([(1.234, 5.0)], heat, SIZE))
    assert data["final_handles"] == [[1.23, 5.0]] and data["size"] == [64, 48]
    png = Image.open(io.BytesIO(base64.b64decode(data["mask_heat"].split(",", 1)[1])))
    assert png.size == SIZE and png.getpixel((63, 47)) == 255
    assert json.loads(result_json([], None, SIZE))["mask_heat"] is None
