"""The command line: the README's demo command, `drag` on a user's image, and its bad input."""
import numpy as np
import pytest
from PIL import Image

from easydrag_ext import cli

FAST = ["--max-iterations", "2"]


def test_points_read_as_quadruples_in_both_spellings():
    assert cli.parse_points("1,2,3,4; 5,6,7,8") == [[1, 2, 3, 4], [5, 6, 7, 8]]
    assert cli.parse_points("[[1, 2, 3, 4.5]]") == [[1, 2, 3, 4.5]]


@pytest.mark.parametrize("text, message", [
    ("", "quadruples"),
    ("1,2,3", "quadruples"),                 # a handle without its target
    ("1,2,3,4;5,6", "quadruples"),
    ("1,2,x,4", "cannot read points"),
    ("[[1, 2, 3]", "cannot read points"),    # malformed JSON
    ("[[1, 2, null, 4]]", "must be numbers"),
    ('[[1, 2, "a", 4]]', "must be numbers"),
    ('{"h": 1}', "cannot read points"),
])
def test_bad_points_are_clear_errors(text, message):
    with pytest.raises(ValueError, match=message):
        cli.parse_points(text)


def test_demo_writes_input_result_and_side_by_side(tmp_path, capsys):
    # the README's main command, shortened to 2 drag iterations
    assert cli.main(["demo", "--out", str(tmp_path)] + FAST) == 0
    images = {name: Image.open(tmp_path / f"{name}.png") for name in ("input", "result", "side_by_side")}
    assert images["input"].size == images["result"].size == (32, 32)
    assert images["side_by_side"].width > 2 * images["side_by_side"].height    # two upscaled panels
    assert "drag iterations" in capsys.readouterr().out


def _scene(path, mode="RGB"):
    arr = np.full((32, 32, 3), 120, np.uint8)
    arr[10:18, 6:14] = (220, 40, 40)
    image = Image.fromarray(arr)
    (image.convert(mode) if mode != "RGB" else image).save(path)
    return path


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
def test_drag_writes_a_result_of_the_input_size_from_any_colour_mode(tmp_path, mode):
    src, out = _scene(tmp_path / "in.png", mode), tmp_path / "sub" / "out.png"
    assert cli.main(["drag", "--image", str(src), "--points", "10,14,16,14", "--out", str(out),
                     "--prompt", "a red square on a plain grey background"] + FAST) == 0
    result = Image.open(out)
    assert result.size == (32, 32) and result.mode == "RGB"


@pytest.mark.parametrize("args, message", [
    (["--image", "{tmp}/absent.png"], "--image {tmp}/absent.png: no such file"),
    (["--image", "{tmp}/notes.png"], "not an image"),
    (["--mask", "{tmp}/absent_mask.png"], "--mask {tmp}/absent_mask.png: no such file"),
    (["--points", "10,14,16"], "quadruples"),
    (["--points", "10,14,99,14"], "target 1 at (99, 14) is off the 32x32 image"),
    (["--out", "{tmp}/result"], "image type"),
    (["--lr", "nan"], "lr"),
])
def test_drag_bad_input_is_an_error_message_not_a_traceback(tmp_path, capsys, args, message):
    (tmp_path / "notes.png").write_text("not a picture")
    given = {"--image": str(_scene(tmp_path / "in.png")), "--points": "10,14,16,14", "--out": str(tmp_path / "o.png")}
    for flag, value in zip(args[::2], args[1::2]):
        given[flag] = value.format(tmp=tmp_path)
    argv = ["drag"] + [v for kv in given.items() for v in kv] + FAST
    assert cli.main(argv) == 2
    assert message.format(tmp=tmp_path) in capsys.readouterr().err
    assert not (tmp_path / "o.png").exists()
