"""Infotext: one mapping from DragParams.FIELDS, kept in sync, and round trips (host-free and host)."""
import json

from hypothesis import given, settings, strategies as st

from easydrag_ext import infotext
from easydrag_ext.params import FIELDS, DragParams, MASK_MODES


def test_every_field_has_exactly_one_key_derived_from_its_label():
    assert list(infotext.FIELD_KEYS) == [f.name for f in FIELDS]
    keys = list(infotext.FIELD_KEYS.values())
    assert len(keys) == len(set(keys))
    for f in FIELDS:
        key, label = infotext.FIELD_KEYS[f.name], f.metadata["info"].label
        if f.name in infotext.STANDARD_KEYS:
            assert key == infotext.STANDARD_KEYS[f.name]
        else:
            assert key.lower() == f"easydrag {label.lower()}", (f.name, key, label)
        assert infotext.KEY_RE.match(key), key        # the host's key grammar
    assert infotext.KEY_FIELDS == {v: k for k, v in infotext.FIELD_KEYS.items()}


def test_prefixed_keys_never_collide_with_the_hosts():
    ours = set(infotext.FIELD_KEYS.values()) - set(infotext.STANDARD_KEYS.values())
    ours |= {infotext.POINTS_KEY, infotext.VERSION_KEY}
    assert not ours & infotext.HOST_KEYS
    assert all(k.startswith("EasyDrag ") for k in ours)


def test_default_params_write_only_points_and_mask_mode():
    text = infotext.build_infotext("p", "", DragParams(), [[1, 2, 3, 4]], (64, 64))
    parsed = infotext.parse_infotext(text)
    ours = {k for k in parsed if k.startswith("EasyDrag")}
    assert ours == {infotext.POINTS_KEY, infotext.FIELD_KEYS["mask_mode"]}
    assert parsed["Size-1"] == "64"
    # No host "Seed" key: Send to img2img would paste it into img2img's seed.
    assert "Seed" not in parsed


def test_seed_has_its_own_key_and_old_results_still_read():
    text = infotext.build_infotext("p", "", DragParams(seed=42), [[1, 2, 3, 4]], (64, 64))
    parsed = infotext.parse_infotext(text)
    assert "Seed" not in parsed and parsed["EasyDrag seed"] == "42"
    assert infotext.params_from_parsed(parsed).seed == 42
    old = infotext.parse_infotext("p\nSeed: 7, Size: 64x64, EasyDrag points: [[1,2,3,4]], EasyDrag mask mode: auto")
    assert infotext.params_from_parsed(old).seed == 7


def test_model_name_is_the_hosts_model_key():
    text = infotext.build_infotext("p", "", DragParams(), [[1, 2, 3, 4]], (64, 64),
                                   model_hash="abc123", model_name="v1-5-pruned-emaonly")
    parsed = infotext.parse_infotext(text)
    assert parsed["Model hash"] == "abc123" and parsed["Model"] == "v1-5-pruned-emaonly"


params_strategy = st.builds(
    lambda it, drag, ref, mi, lr, mode, blocks, rd, seed, thr: DragParams(
        inversion_steps=it, drag_step_index=min(drag, it), reference_steps=min(ref, min(drag, it)),
        max_iterations=mi, lr=lr, mask_mode=mode, feature_blocks=blocks, reference_during_drag=rd,
        seed=seed, mask_threshold=thr),
    st.integers(2, 200), st.integers(1, 200), st.integers(0, 200), st.integers(0, 1000),
    st.floats(1e-5, 1.0), st.sampled_from(MASK_MODES),
    st.lists(st.integers(0, 11), min_size=1, max_size=4), st.booleans(), st.integers(0, 2**32 - 1),
    st.floats(0.0, 0.999))
points_strategy = st.lists(st.lists(st.floats(0, 511, allow_nan=False).map(lambda v: round(v, 2)),
                                    min_size=4, max_size=4), min_size=1, max_size=5)
prompt_strategy = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(params_strategy, points_strategy, prompt_strategy, prompt_strategy)
def test_round_trip_host_free(params, points, prompt, negative):
    text = infotext.build_infotext(prompt, negative, params, points, (512, 512), "abc123", "0.1.0")
    parsed = infotext.parse_infotext(text)
    assert infotext.params_from_parsed(parsed) == params
    assert infotext.points_from_parsed(parsed) == [[float(v) for v in p] for p in points]
    assert parsed["Model hash"] == "abc123"


def test_round_trip_through_the_hosts_parser_with_a_tricky_prompt(webui):
    params = DragParams(inversion_steps=30, drag_step_index=20, lr=0.02, mask_mode="user",
                        feature_blocks=(4, 6, 8), reference_during_drag=False, seed=123)
    prompt = 'a "quoted" cat, on a mat: at noon\nsecond line'
    text = infotext.build_infotext(prompt, "ugly, blurry", params, [[10.5, 20, 30, 40]], (640, 384))
    parsed = webui.infotext_utils.parse_generation_parameters(text)
    assert parsed["Prompt"] == prompt and parsed["Negative prompt"] == "ugly, blurry"
    assert infotext.params_from_parsed(parsed) == params
    assert infotext.points_from_parsed(parsed) == [[10.5, 20.0, 30.0, 40.0]]
    assert parsed["Mask mode"] == "Inpaint masked"        # the host's own key is left alone


def test_png_info_paste_restores_prompt_points_and_params(webui, page):
    """What PNG Info -> Send to EasyDrag sets on the tab, through the host's paste wiring."""
    from .helpers import by_id

    fields = webui.infotext_utils.paste_fields["easydrag"]["fields"]
    params = DragParams(max_iterations=7, mask_mode="none", feature_blocks=(3, 9))
    text = infotext.build_infotext("a dog", "bad", params, [[1, 2, 3, 4]], (64, 64))
    values = webui.infotext_utils.paste_values(fields, webui.infotext_utils.parse_generation_parameters(text))
    by_comp = {id(c): v for (c, _), v in zip(fields, values)}
    tab = by_id(page, "tab_easydrag")
    assert by_comp[id(by_id(tab, "easydrag_prompt"))]["value"] == "a dog"
    pts = json.loads(by_comp[id(by_id(tab, "easydrag_points_json"))]["value"])
    assert pts == {"points": [[1.0, 2.0, 3.0, 4.0]], "mask": None, "size": [64, 64]}
    assert by_comp[id(by_id(tab, "easydrag_param_max_iterations"))]["value"] == 7
    assert by_comp[id(by_id(tab, "easydrag_mask_mode"))]["value"] == "none"
    assert by_comp[id(by_id(tab, "easydrag_param_feature_blocks"))]["value"] == ["3", "9"]
    assert by_comp[id(by_id(tab, "easydrag_param_lr"))]["value"] == DragParams().lr   # defaults restored
    # a plain txt2img infotext leaves EasyDrag's points and params alone
    plain = webui.infotext_utils.parse_generation_parameters("a cat\nSteps: 20, Seed: 5, Size: 64x64")
    values = webui.infotext_utils.paste_values(fields, plain)
    by_comp = {id(c): v for (c, _), v in zip(fields, values)}
    assert "value" not in by_comp[id(by_id(tab, "easydrag_param_seed"))]
    assert "value" not in by_comp[id(by_id(tab, "easydrag_points_json"))]


def test_bad_values_in_an_infotext_name_the_key():
    import pytest

    with pytest.raises(ValueError, match="inversion_steps"):
        infotext.params_from_parsed({infotext.FIELD_KEYS["inversion_steps"]: "many"})
    with pytest.raises(ValueError, match="EasyDrag points"):
        infotext.points_from_parsed({infotext.POINTS_KEY: "[[1, 2]]"})


def test_guidance_cfg_clip_skip_and_lora_hashes_round_trip_through_the_hosts_parser(webui):
    from easydrag_ext.front.source_info import from_parsed

    params = DragParams(guidance_mode="prompt_cfg", cfg_scale=7.5)      # 7.5 is the default: still written
    extra = {"Clip skip": "2", "Lora hashes": "testlora: 4ffce88ae393, other: 0123456789ab"}
    text = infotext.build_infotext("a cat <lora:testlora:0.8>", "ugly", params, [[1, 2, 3, 4]], (64, 64),
                                   "23ac2620b6", "0.1.0", extra=extra)
    parsed = webui.infotext_utils.parse_generation_parameters(text)
    assert parsed["CFG scale"] == "7.5" and parsed["EasyDrag guidance mode"] == "prompt_cfg"
    assert parsed["Lora hashes"] == extra["Lora hashes"] and parsed["Clip skip"] == "2"
    assert infotext.params_from_parsed(parsed) == params
    source = from_parsed(parsed)
    assert (source.clip_skip, source.model_hash, source.cfg_scale) == (2, "23ac2620b6", 7.5)
    # a txt2img infotext: its CFG scale is prompt_cfg's w
    txt2img = webui.infotext_utils.parse_generation_parameters(
        "a cat\nNegative prompt: ugly\nSteps: 20, CFG scale: 6.0, Seed: 5, Size: 64x64, Clip skip: 2")
    assert infotext.params_from_parsed(txt2img).cfg_scale == 6.0
    assert from_parsed(txt2img).clip_skip == 2
    assert from_parsed(webui.infotext_utils.parse_generation_parameters("just a prompt")) is None


def test_pasting_a_txt2img_infotext_sets_cfg_scale_and_the_source_info(webui, page):
    from .helpers import by_id

    fields = webui.infotext_utils.paste_fields["easydrag"]["fields"]
    plain = webui.infotext_utils.parse_generation_parameters(
        "a cat\nSteps: 20, CFG scale: 6.0, Seed: 5, Size: 64x64, Model hash: 0123456789, Clip skip: 2")
    values = webui.infotext_utils.paste_values(fields, plain)
    by_comp = {id(c): v for (c, _), v in zip(fields, values)}
    tab = by_id(page, "tab_easydrag")
    assert by_comp[id(by_id(tab, "easydrag_param_cfg_scale"))]["value"] == 6.0
    source = json.loads(by_comp[id(by_id(tab, "easydrag_source_info"))]["value"])
    assert source == {"cfg_scale": 6.0, "clip_skip": 2, "model_hash": "0123456789"}
    assert "value" not in by_comp[id(by_id(tab, "easydrag_param_guidance_mode"))]   # stays auto
