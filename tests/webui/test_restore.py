"""Re-opening a saved result restores its points and parameters (not only the prompt)."""
import io
import json

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from easydrag_ext.infotext import build_infotext, parse_infotext
from easydrag_ext.params import FIELDS, DragParams
from easydrag_ext.ui.restore import make_restore


def _png(text=None, size=(48, 40)):
    buf = io.BytesIO()
    info = PngInfo()
    if text is not None:
        info.add_text("parameters", text)
    Image.new("RGB", size, (9, 9, 9)).save(buf, format="PNG", pnginfo=info)
    buf.seek(0)
    return Image.open(buf)


def test_a_saved_result_brings_back_points_and_params():
    params = DragParams(max_iterations=7, lr=0.05, feature_blocks=(4, 8), mask_mode="none")
    text = build_infotext("a disc", "", params, [[3, 4, 10, 12]], (48, 40))
    out = make_restore(parse_infotext)(_png(text))
    assert len(out) == 1 + len(FIELDS)
    assert json.loads(out[0]["value"]) == {"points": [[3, 4, 10, 12]], "mask": None, "size": [48, 40]}
    values = {f.name: u["value"] for f, u in zip(FIELDS, out[1:])}
    assert values["max_iterations"] == 7 and values["lr"] == 0.05 and values["mask_mode"] == "none"
    assert values["feature_blocks"] == ["4", "8"], "in the widget's form"


def test_other_images_leave_every_field_alone():
    restore = make_restore(parse_infotext)
    for image in (_png(None), _png("a cat\nSteps: 20, Sampler: Euler, Seed: 5, Size: 48x40"), None):
        out = restore(image)
        assert all(set(u) == {"__type__"} for u in out), "no value: nothing changes"
    broken = "p\nEasyDrag points: not json, Seed: 1, Size: 48x40, EasyDrag mask mode: auto"
    assert all(set(u) == {"__type__"} for u in restore(_png(broken)))
