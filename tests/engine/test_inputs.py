"""The one validator: limits, the point rule and the colour/mask conversion rules (engine.inputs)."""
import numpy as np
import pytest
from PIL import Image

from easydrag_ext.engine import inputs


def test_a_16_bit_grey_png_is_scaled_not_turned_white(tmp_path):
    ramp = (np.arange(32 * 32, dtype=np.uint16).reshape(32, 32) * 64)     # 0 .. 65472
    path = tmp_path / "deep.png"
    Image.fromarray(ramp).save(path)
    loaded = Image.open(path)
    assert loaded.mode.startswith("I")
    rgb = inputs.check_image(loaded)
    arr = np.asarray(rgb)
    assert rgb.mode == "RGB"
    assert arr[0, 0, 0] == 0 and arr[-1, -1, 0] == round(65472 / 257)
    assert (arr[..., 0] == 255).mean() < 0.01, "convert('RGB') clips 16-bit values to white"


def test_alpha_is_composited_on_white_and_a_palette_is_expanded():
    rgba = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    rgba.paste((200, 0, 0, 255), (0, 0, 8, 16))
    arr = np.asarray(inputs.check_image(rgba))
    assert tuple(arr[0, 12]) == (255, 255, 255), "transparent became black"
    assert tuple(arr[0, 2]) == (200, 0, 0)
    pal = Image.new("RGB", (16, 16), (10, 120, 230)).convert("P", palette=Image.ADAPTIVE)
    assert tuple(np.asarray(inputs.check_image(pal))[3, 3]) == (10, 120, 230)
    la = Image.new("LA", (16, 16), (90, 0))
    assert tuple(np.asarray(inputs.check_image(la))[0, 0]) == (255, 255, 255)


def test_cmyk_is_converted():
    cmyk = Image.new("RGB", (16, 16), (255, 0, 0)).convert("CMYK")
    assert tuple(np.asarray(inputs.check_image(cmyk))[0, 0]) == (255, 0, 0)


@pytest.mark.parametrize("size, match", [
    ((15, 64), "at least 16"),
    ((4097, 64), "above 4096"),
])
def test_size_limits(size, match):
    with pytest.raises(ValueError, match=match):
        inputs.check_size(*size)


def test_pixel_count_limit(monkeypatch):
    monkeypatch.setattr(inputs, "MAX_PIXELS", 100 * 100)
    with pytest.raises(ValueError, match="at most 10000"):
        inputs.check_size(101, 100)


def test_one_point_rule_last_pixel_in_first_outside():
    inputs.check_points([(63, 47)], [(0, 0)], (64, 48))
    for p in [(63.5, 0), (64, 0), (0, 48), (-0.1, 0)]:
        with pytest.raises(ValueError, match=r"off the 64x48 image \(x must be 0 to 63, y 0 to 47\)"):
            inputs.check_points([p], [(0, 0)], (64, 48))


def test_a_colour_painted_mask_reads_as_painted_not_empty():
    on_clear = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    on_clear.paste((255, 0, 0, 255), (4, 4, 8, 8))          # red strokes on a transparent layer
    m = inputs.check_mask(on_clear, (16, 16))
    assert m[5, 5] and not m[0, 0] and m.sum() == 16
    opaque = Image.new("RGB", (16, 16), (0, 0, 0))
    opaque.paste((255, 0, 0), (4, 4, 8, 8))                  # red on black: its luminance is only 76
    m = inputs.check_mask(opaque, (16, 16))
    assert m[5, 5] and not m[0, 0] and m.sum() == 16
    white = Image.new("L", (16, 16), 0)
    white.paste(255, (0, 0, 4, 4))
    assert inputs.check_mask(white, (16, 16)).sum() == 16


def test_every_handle_on_its_target_is_refused_mixed_pairs_are_kept():
    # issue 16: a handle equal to its target ran the whole inversion and denoise for no movement
    with pytest.raises(ValueError, match="every handle is already on its target"):
        inputs.check_points([(20, 20), (30.2, 40)], [(20, 20), (29.8, 40.4)], (64, 64))   # same pixels
    hs, ts = inputs.check_points([(20, 20), (10, 10)], [(20, 20), (30, 12)], (64, 64))
    assert len(hs) == 2                              # a zero-length pair among moving ones still runs
    inputs.check_points([(20, 20)], [(21, 20)], (64, 64))  # one pixel is a movement


def test_nothing_to_move_is_refused_before_any_model_work(tiny_model, adapter):
    from easydrag_ext import DragParams, drag

    from .helpers import disc_image

    FAST = DragParams(resize_long_side=64, max_iterations=2)

    calls = []
    handle = tiny_model.model.diffusion_model.register_forward_pre_hook(lambda *a: calls.append(1))
    try:
        with pytest.raises(ValueError, match="every handle is already on its target"):
            drag(adapter, disc_image(), "x", [(20, 20)], [(20, 20)], params=FAST)
        # a one-pixel drag on a 128 px image resized to 64 rounds to no movement at the working size
        with pytest.raises(ValueError, match="at the working size 64x64"):
            drag(adapter, disc_image(size=128), "x", [(40, 40)], [(41, 40)], params=FAST)
    finally:
        handle.remove()
    assert not calls, "refused before the model ran"
