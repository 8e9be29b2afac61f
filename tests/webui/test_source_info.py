"""Host-free: the image's infotext facts, the added prompt and the request's clip skip."""
import pytest

from easydrag_ext.params import DragParams
from easydrag_ext.front import request_from_api
from easydrag_ext.front.source_info import SourceInfo, from_json, from_parsed

from .helpers import disc_image


def _req(**kw):
    return request_from_api(disc_image(), "a cat <lora:x:1>", "ugly", [[1, 2, 3, 4]], None, DragParams(), **kw)


def test_the_added_prompt_is_appended_like_the_official_code():
    assert _req().conditioning_prompt == "a cat <lora:x:1>"
    assert _req(added_prompt="best quality").conditioning_prompt == "a cat <lora:x:1>, best quality"
    with pytest.raises(ValueError, match="added_prompt"):
        _req(added_prompt=3)


def test_clip_skip_comes_from_the_request_then_the_image():
    source = SourceInfo(clip_skip=2)
    assert _req().effective_clip_skip is None
    assert _req(source=source).effective_clip_skip == 2
    assert _req(source=source, clip_skip=1).effective_clip_skip == 1
    for bad in (0, 13, 1.5, "two"):
        with pytest.raises(ValueError, match="clip_skip must be a whole number from 1 to 12"):
            _req(clip_skip=bad)


def test_source_info_from_an_infotext_and_through_the_hidden_box():
    parsed = {"Prompt": "a cat", "Steps": "20", "CFG scale": "7.0", "Model hash": "23ac2620b6",
              "Model": "random-sd15", "Clip skip": "1", "VAE hash": "abcdef0123"}
    source = from_parsed(parsed)
    assert source == SourceInfo(1, "23ac2620b6", "random-sd15", "abcdef0123", None, 7.0)
    assert from_json(source.to_json()) == source
    assert from_parsed({"Prompt": "a cat", "Clip skip": "1"}) is None      # the host's defaults only
    assert from_parsed(dict(parsed, **{"Clip skip": "x", "CFG scale": "?"})).clip_skip == 1
    assert from_json("") is None
    with pytest.raises(ValueError):
        from_json("[1]")
