"""A txt2img image dragged on the model that made it: LoRA, embeddings, prompt syntax, clip skip, checkpoint."""
import base64
import io

import numpy as np
import pytest
import torch
from fastapi import FastAPI
from fastapi.testclient import TestClient

from easydrag_ext.infotext import parse_infotext
from easydrag_ext.front import request_from_api
from easydrag_ext.front.source_info import from_parsed

from . import lora_host
from .helpers import FAST, disc_image

POINTS = [[20, 20, 36, 28]]


@pytest.fixture
def host(webui):
    ns = lora_host.install(webui)
    try:
        yield ns
    finally:
        lora_host.uninstall(ns)


@pytest.fixture
def seen(host, monkeypatch):
    """Every text-encoder call of the drag: (texts, active networks, clip skip)."""
    calls = []
    real = host.model.get_learned_conditioning

    def spy(texts):
        calls.append((list(texts), [(n.name, n.te_multiplier, n.unet_multiplier) for n in host.networks.loaded_networks],
                      host.shared.opts.CLIP_stop_at_last_layers))
        return real(texts)

    monkeypatch.setattr(host.model, "get_learned_conditioning", spy)
    return calls


def b64(img):
    buf = io.BytesIO()
    pnginfo = None
    if "parameters" in img.info:
        from PIL.PngImagePlugin import PngInfo
        pnginfo = PngInfo()
        pnginfo.add_text("parameters", img.info["parameters"])
    img.save(buf, format="PNG", pnginfo=pnginfo)
    return base64.b64encode(buf.getvalue()).decode()


def run(prompt, negative="", params=FAST, source=None, clip_skip=None):
    from easydrag_ext.webui.webui_host import WebuiServices

    req = request_from_api(disc_image(), prompt, negative, POINTS, None, params, source=source,
                           clip_skip=clip_skip)
    return WebuiServices().run_drag(req)


# -- the fake host is faithful where the drag depends on it -------------------------------------
def test_fake_lora_merges_lazily_stays_merged_and_has_the_grad_trap(host):
    plain = lora_host.unet_weights(host.model)
    a = lora_host.txt2img("a red ball")
    b = lora_host.txt2img("a red ball <lora:testlora:1>")
    assert not np.array_equal(np.asarray(a.images[0]), np.asarray(b.images[0]))
    assert 'Lora hashes: "testlora: 4ffce88ae393"' in b.info
    merged = lora_host.unet_weights(host.model)
    assert any(not torch.equal(plain[k], merged[k]) for k in plain), "stays merged after txt2img"
    assert [n.name for n in host.networks.loaded_networks] == ["testlora"]
    # the set changes; the first grad-enabled forward restores in place on a leaf that requires grad
    host.networks.loaded_networks.clear()
    unet = host.model.model.diffusion_model
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        unet(torch.randn(1, 4, 8, 8), torch.tensor([10]), context=host.model.get_learned_conditioning(["x"]))
    with torch.no_grad():
        unet(torch.randn(1, 4, 8, 8), torch.tensor([10]), context=host.model.get_learned_conditioning(["x"]))
    assert all(torch.equal(plain[k], v) for k, v in lora_host.unet_weights(host.model).items())


def test_the_hosts_text_encoder_reads_embeddings_emphasis_break_and_clip_skip(host):
    enc = host.model.get_learned_conditioning
    base = enc(["a red ball"])
    assert not torch.equal(enc(["a testemb ball"]), base)
    assert not torch.equal(enc(["a (red:1.3) ball"]), base)
    assert enc(["a red ball BREAK a cube"]).shape[1] == 2 * base.shape[1]
    host.shared.opts.data["CLIP_stop_at_last_layers"] = 2
    try:
        assert not torch.equal(enc(["a red ball"]), base)
    finally:
        host.shared.opts.data["CLIP_stop_at_last_layers"] = 1


# -- the drag ----------------------------------------------------------------------------------------
def test_a_drag_runs_with_the_prompts_lora_only_and_leaves_the_host_as_txt2img_expects(host, seen):
    a = lora_host.txt2img("a red ball")
    b = lora_host.txt2img("a red ball <lora:testlora:1>")           # leaves the LoRA merged
    assert [n.name for n in host.networks.loaded_networks] == ["testlora"]
    seen.clear()
    plain = run("a red disc")
    assert seen and all(nets == [] for _, nets, _ in seen), "a drag without a tag runs on the plain model"
    seen.clear()
    tagged = run("a red disc <lora:testlora:0.8>")
    assert {t for texts, _, _ in seen for t in texts} == {"a red disc "}
    assert seen and all(nets == [("testlora", 0.8, 0.8)] for _, nets, _ in seen)
    assert all("<" not in t for texts, _, _ in seen for t in texts), "no tag reaches the text encoder"
    assert not np.array_equal(np.asarray(plain.image), np.asarray(tagged.image))
    assert tagged.infotext_extra["Lora hashes"] == f"testlora: {lora_host.LORA_HASH}"
    assert "Lora hashes" not in plain.infotext_extra
    # after the drag: nothing active, weights back now, and txt2img gives what it gave before
    assert host.networks.loaded_networks == []
    assert all(getattr(m, "network_current_names", ()) == () for m in host.model.network_layer_mapping.values())
    assert np.array_equal(np.asarray(lora_host.txt2img("a red ball").images[0]), np.asarray(a.images[0]))
    assert np.array_equal(np.asarray(lora_host.txt2img("a red ball <lora:testlora:1>").images[0]),
                          np.asarray(b.images[0]))


def test_a_missing_network_is_a_warning_and_the_drag_runs_without_it(host, seen):
    r = run("a red disc <lora:not_installed:1> <foo:bar:1>")
    assert any("Lora not found: not_installed" in n for n in r.notes)
    assert any("Unknown extra network <foo" in n for n in r.notes)
    assert all(nets == [] for _, nets, _ in seen) and r.image.size == (64, 64)
    assert host.hijack.comments == [], "the host's comments are left as they were"


def test_prompt_editing_runs_with_the_last_steps_text_and_says_so(host, seen):
    r = run("a [red:blue:0.5] disc")
    assert ["a blue disc"] in [texts for texts, _, _ in seen]
    assert all("[" not in t for texts, _, _ in seen for t in texts)
    assert any("prompt editing" in n for n in r.notes)


def test_clip_skip_from_the_infotext_applies_to_the_drag_and_round_trips(host, seen, webui):
    text = lora_host.txt2img("a red ball", clip_skip=2).info
    assert "Clip skip: 2" in text and host.shared.opts.CLIP_stop_at_last_layers == 1
    source = from_parsed(webui.infotext_utils.parse_generation_parameters(text))
    assert source.clip_skip == 2
    r = run("a red ball", source=source)
    assert {skip for _, _, skip in seen} == {2}
    assert host.shared.opts.CLIP_stop_at_last_layers == 1, "restored after the drag"
    assert r.infotext_extra["Clip skip"] == "2"
    seen.clear()
    run("a red ball", source=source, clip_skip=1)          # the request's field wins
    assert {skip for _, _, skip in seen} == {1}


def test_a_checkpoint_mismatch_names_both_and_the_button_switch_loads_it(host):
    from easydrag_ext.webui.checkpoint import load_checkpoint, model_mismatch

    other = host.models["b"][1]
    source = from_parsed({"Steps": "2", "Model hash": other.shorthash, "Model": "model-b"})
    m = model_mismatch(source)
    assert m["installed_checkpoint"] == other.title and m["loaded_model"] == host.models["a"][1].title
    r = run("a red disc", source=source)
    assert r.model_mismatch == m
    assert any(other.shorthash in n and host.models["a"][1].title in n for n in r.notes)
    assert "Loaded" in load_checkpoint(other.title)
    assert host.shared.sd_model is host.models["b"][0] and host.sd_models.loads[-1] == other.title
    assert model_mismatch(source) is None
    unknown = from_parsed({"Steps": "2", "Model hash": "0123456789"})
    assert model_mismatch(unknown)["installed_checkpoint"] is None


def test_a_txt2img_image_sent_to_the_api_is_dragged_like_it_was_made(host, seen, webui):
    """LoRA tag, embedding, clip skip 2, a negative prompt and CFG 7: all of them reach the drag."""
    made = lora_host.txt2img("a testemb ball <lora:testlora:0.8>", negative="ugly, blurry", cfg=7.0,
                             clip_skip=2)
    app = FastAPI()
    webui.script_callbacks.app_started_callback(None, app)
    params = {k: v for k, v in FAST.to_dict().items() if k not in ("feature_blocks", "cfg_scale")}
    res = TestClient(app).post("/easydrag/v1/drag", json={
        "image": b64(made.images[0]), "prompt": "a testemb ball <lora:testlora:0.8>",
        "negative_prompt": "ugly, blurry", "points": POINTS,
        "params": dict(params, cfg_scale=7.0)})
    assert res.status_code == 200, res.text
    out = res.json()
    texts = {t for ts, _, _ in seen for t in ts}
    assert texts == {"a testemb ball ", "ugly, blurry"}
    assert all(nets == [("testlora", 0.8, 0.8)] and skip == 2 for _, nets, skip in seen)
    info = parse_infotext(out["info"])
    assert info["Lora hashes"] == f"testlora: {lora_host.LORA_HASH}"
    assert info["Clip skip"] == "2" and info["TI hashes"] == f"testemb: {lora_host.EMB_HASH}"
    assert info["EasyDrag guidance mode"] == "prompt_cfg" and info["CFG scale"] == "7.0"
    assert info["Prompt"] == "a testemb ball <lora:testlora:0.8>" and info["Negative prompt"] == "ugly, blurry"
    assert out["model_mismatch"] is None and out["warnings"] == []
    assert host.networks.loaded_networks == [] and host.shared.opts.CLIP_stop_at_last_layers == 1


def test_the_inversion_cache_never_serves_another_network_set(host):
    from easydrag_ext.webui import webui_host as services

    services.clear_caches()
    run("a red disc")
    hits = services.inversion_cache.hits
    run("a red disc<lora:testlora:0.8>")              # the same text once the tag is stripped
    assert services.inversion_cache.hits == hits
    run("a red disc<lora:testlora:0.8>")
    assert services.inversion_cache.hits == hits + 1


def test_a_vae_mismatch_names_both(host):
    from modules import sd_vae

    from easydrag_ext.webui.checkpoint import mismatch_notes, model_mismatch

    a = host.models["a"][1]
    source = from_parsed({"Steps": "2", "Model hash": a.shorthash, "VAE hash": "abcdef0123", "VAE": "kl-f8.pt"})
    m = model_mismatch(source)
    assert m == {"infotext_vae_hash": "abcdef0123", "infotext_vae": "kl-f8.pt", "loaded_vae_hash": None,
                 "loaded_vae": None}
    assert "kl-f8.pt [abcdef0123]" in mismatch_notes(m)[0] and "own VAE" in mismatch_notes(m)[0]
    sd_vae.loaded_vae_file, sd_vae.vae_hashes["/vae/kl-f8.pt"] = "/vae/kl-f8.pt", "abcdef0123"
    try:
        assert model_mismatch(source) is None
    finally:
        sd_vae.loaded_vae_file = None
