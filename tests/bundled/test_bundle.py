"""What the standalone runner loads: the bundled model, its parameters and demo; never a stand-in."""
import pytest

from easydrag_ext import bundled
from easydrag_ext.bundled import model as shapes_model


def test_the_default_bundle_is_the_shipped_model_with_its_parameters():
    bundle = bundled.load_default_model()
    assert isinstance(bundle.adapter.sd_model, shapes_model.ShapesDiffusion)
    assert bundle.adapter.sd_model.layout == shapes_model.SHIPPED_LAYOUT
    assert bundle.params == bundled.PARAMS and bundle.params.resize_long_side == shapes_model.IMAGE_SIZE
    assert bundle.name == bundled.NAME
    assert bundle.demo()[1] == "a red disc on a plain grey background"


def test_missing_weights_are_an_error_not_a_random_model(tmp_path):
    # before: load_default_model quietly served the tiny random-weight test model
    with pytest.raises(FileNotFoundError, match="missing: they ship with EasyDrag"):
        bundled.load_default_model(tmp_path / "shapes_model.safetensors")


def test_the_cli_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    from easydrag_ext import cli

    monkeypatch.setattr(shapes_model, "WEIGHTS", tmp_path / "shapes_model.safetensors")
    assert cli.main(["demo", "--out", str(tmp_path / "demo")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the bundled model's weights") and "git checkout" in err
    assert not (tmp_path / "demo").exists()
