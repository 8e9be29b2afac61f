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
    out = capsys.readouterr().out
    assert "drag iterations" in out
    assert " 0/" not in out         # a phase's start prints its name, not a count of 0
    for phase in ("encode:", "inversion:", "drag:", "denoise:", "decode:"):
        assert phase in out


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
    (["--image", "{tmp}/huge.png"], "image is larger than 32 MiB"),     # the tab's and the API's limit
    (["--mask", "{tmp}/absent_mask.png"], "--mask {tmp}/absent_mask.png: no such file"),
    (["--points", "10,14,16"], "quadruples"),
    (["--points", "10,14,99,14"], "target 1 at (99, 14) is off the 32x32 image"),
    (["--out", "{tmp}/result"], "image type"),
    (["--lr", "nan"], "lr"),
])
def test_drag_bad_input_is_an_error_message_not_a_traceback(tmp_path, capsys, args, message):
    (tmp_path / "notes.png").write_text("not a picture")
    with open(tmp_path / "huge.png", "wb") as f:       # sparse: 33 MiB on paper, nothing on disk
        f.truncate(33 * 1024 * 1024)
    given = {"--image": str(_scene(tmp_path / "in.png")), "--points": "10,14,16,14", "--out": str(tmp_path / "o.png")}
    for flag, value in zip(args[::2], args[1::2]):
        given[flag] = value.format(tmp=tmp_path)
    argv = ["drag"] + [v for kv in given.items() for v in kv] + FAST
    assert cli.main(argv) == 2
    assert message.format(tmp=tmp_path) in capsys.readouterr().err
    assert not (tmp_path / "o.png").exists()


def _argv(tmp_path, **over):
    given = {"--image": str(_scene(tmp_path / "in.png")), "--points": "10,14,16,14",
             "--out": str(tmp_path / "o.png")}
    given.update({k.replace("_", "-"): v for k, v in over.items()})
    return ["drag"] + [v for kv in given.items() for v in kv] + FAST


@pytest.mark.parametrize("out, message", [
    ("/dev/full", "/dev/full is not a regular file"),
    ("{tmp}/o.psd", "PIL cannot write an RGB image as PSD"),
    ("{tmp}/o.xbm", "PIL cannot write an RGB image as XBM"),
    ("{tmp}/afile/o.png", "cannot write into {tmp}/afile"),
])
def test_an_output_that_cannot_be_written_is_refused_before_the_model_loads(tmp_path, capsys, monkeypatch,
                                                                            out, message):
    from easydrag_ext import bundled

    (tmp_path / "afile").write_text("a file where a folder should be")
    monkeypatch.setattr(bundled, "load_default_model", lambda: pytest.fail("the model loaded"))
    assert cli.main(_argv(tmp_path, __out=out.format(tmp=tmp_path))) == 2
    assert message.format(tmp=tmp_path) in capsys.readouterr().err


def test_the_png_carries_infotext_and_a_failed_save_goes_to_a_printed_fallback(tmp_path, capsys, monkeypatch):
    from easydrag_ext.front import cli_host, saving
    from easydrag_ext.infotext import POINTS_KEY, parse_infotext

    out = tmp_path / "o.png"
    assert cli.main(_argv(tmp_path, __prompt="a red square", __negative_prompt="blurry")) == 0
    parsed = parse_infotext(Image.open(out).info["parameters"])
    assert parsed["Prompt"] == "a red square" and parsed["Negative prompt"] == "blurry"
    assert parsed[POINTS_KEY] == "[[10,14,16,14]]"

    out.unlink()
    real = saving.atomic_save

    def disk_full_at_out(image, path, *a, **kw):
        if str(path) == str(out):
            raise OSError(28, "No space left on device")
        return real(image, path, *a, **kw)
    monkeypatch.setattr(cli_host, "atomic_save", disk_full_at_out)
    monkeypatch.setattr(saving.tempfile, "gettempdir", lambda: str(tmp_path))
    assert cli.main(_argv(tmp_path)) == 5
    err = capsys.readouterr().err
    assert "No space left on device" in err and "the result was written to" in err
    fallback = err.rsplit("the result was written to ", 1)[1].split(" instead")[0]
    assert Image.open(fallback).size == (32, 32) and not out.exists()


def test_a_negative_point_gets_the_point_message_not_argparse_s(tmp_path, capsys):
    assert cli.main(_argv(tmp_path, __points="-1,14,16,14")) == 2
    assert "handle 1 at (-1, 14) is off the 32x32 image" in capsys.readouterr().err


def test_a_mask_with_mask_mode_auto_is_reported_as_not_used(tmp_path, capsys):
    mask = Image.new("L", (32, 32), 0)
    mask.paste(255, (4, 4, 20, 20))
    mask.save(tmp_path / "m.png")
    assert cli.main(_argv(tmp_path, __mask=str(tmp_path / "m.png"))) == 0
    assert "mask mode is 'auto', so it was not used" in capsys.readouterr().out


def test_a_16_bit_png_is_dragged_as_its_picture_not_as_white(tmp_path):
    grey = (np.full((32, 32), 120 * 257, np.uint16))
    Image.fromarray(grey).save(tmp_path / "deep.png")
    assert cli.main(_argv(tmp_path, __image=str(tmp_path / "deep.png"))) == 0
    assert np.asarray(Image.open(tmp_path / "o.png")).mean() < 230


def _png_header_only(path, w, h):
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))


@pytest.mark.parametrize("w, h, message", [(14000, 14000, "more pixels than PIL will open"),
                                           (5000, 64, "sides above 4096 pixels are not supported")])
def test_huge_images_are_a_message_not_a_decompression_bomb_traceback(tmp_path, capsys, w, h, message):
    _png_header_only(tmp_path / "huge.png", w, h)
    assert cli.main(_argv(tmp_path, __image=str(tmp_path / "huge.png"))) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["ui", "--port", "99999"], "--port 99999"),
])
def test_other_bad_commands_are_messages(tmp_path, capsys, argv, message):
    (tmp_path / "notes.bin").write_text("not weights")
    assert cli.main([a.format(tmp=tmp_path) for a in argv]) == 2
    assert message in capsys.readouterr().err


def test_ctrl_c_is_exit_130_without_a_traceback(tmp_path, capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "_dispatch", interrupted)
    assert cli.main(_argv(tmp_path)) == 130
    assert "interrupted" in capsys.readouterr().err


def test_nothing_to_move_is_refused_before_the_model_loads(tmp_path, capsys, monkeypatch):
    from easydrag_ext import bundled

    def no_model(*a, **kw):
        raise AssertionError("the model was loaded")
    monkeypatch.setattr(bundled, "load_default_model", no_model)
    src = _scene(tmp_path / "in.png")
    assert cli.main(["drag", "--image", str(src), "--points", "10,14,10,14;20,20,20.4,19.6",
                     "--out", str(tmp_path / "o.png")]) == 2
    assert "every handle is already on its target" in capsys.readouterr().err
