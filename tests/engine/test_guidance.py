"""Denoising guidance: reference (eq. 7) is prompt_cfg with the prompt as its own negative."""
import numpy as np
import pytest
import torch

import easydrag_ext.engine.pipeline as pipeline
from bench.official_structure import official_drag
from easydrag_ext import drag
from easydrag_ext.engine.guidance import resolve
from easydrag_ext.engine.inputs import image_to_tensor

from .helpers import disc_image
from .test_drag import FAST

HANDLES, TARGETS = [(20, 20)], [(40, 30)]


def _drag(adapter, params, negative=None, prompt="a red disc"):
    return drag(adapter, disc_image(), prompt, HANDLES, TARGETS, params=params, negative_prompt=negative)


def test_prompt_cfg_with_the_prompt_as_negative_is_reference_guidance_exactly(adapter):
    params = FAST.replace(reference_scale=3.0)
    reference = _drag(adapter, params.replace(guidance_mode="reference"), negative="ignored here")
    cfg = _drag(adapter, params.replace(guidance_mode="prompt_cfg", cfg_scale=3.0), negative="a red disc")
    assert np.array_equal(np.asarray(reference.image), np.asarray(cfg.image))
    assert reference.params.guidance_mode == "reference" and cfg.params.guidance_mode == "prompt_cfg"


def test_the_negative_prompt_and_cfg_scale_change_the_result(adapter):
    params = FAST.replace(guidance_mode="prompt_cfg", cfg_scale=5.0)
    a = np.asarray(_drag(adapter, params, negative="a red disc").image)
    b = np.asarray(_drag(adapter, params, negative="blurry, ugly").image)
    c = np.asarray(_drag(adapter, params.replace(cfg_scale=2.0), negative="blurry, ugly").image)
    assert not np.array_equal(a, b) and not np.array_equal(b, c)


def test_auto_is_prompt_cfg_with_a_negative_prompt_and_reference_without():
    p = FAST.replace(guidance_mode="auto", cfg_scale=7.0, reference_scale=4.0)
    assert resolve(p, "ugly") == resolve(p.replace(guidance_mode="prompt_cfg"), "ugly")
    assert resolve(p, "ugly").scale == 7.0 and resolve(p, "").negative_prompt == ""
    assert resolve(p, None).mode == "reference" and resolve(p, None).scale == 4.0
    # w = 0 in reference mode needs no reference calls; prompt_cfg keeps its reference steps
    assert resolve(p.replace(reference_scale=0.0), None).ref_steps == 0
    assert resolve(p.replace(reference_scale=0.0), "x").ref_steps == p.reference_steps


def _official_gen_denoise(adapter, z, latents, cond, uncond, params, w):
    """cldm/ddim_hacked_drag.py gen(), restated: in the last reference_steps the conditional
    call runs on the batch [z, inversion latent] with the decoder rows reading the second
    row's self-attention; e_uncond is a plain batch-1 call on the negative prompt."""
    from bench.official_structure import OfficialReferenceBlocks
    from easydrag_ext.engine.schedule import DDIMSchedule

    sched = DDIMSchedule.make(adapter.alphas_cumprod, params.inversion_steps)
    unet = adapter.unet

    def apply_model(x, i, c):
        t = torch.full((x.shape[0],), sched.timesteps[i], dtype=torch.long)
        return unet(x, t, context=c.expand(x.shape[0], -1, -1))

    with torch.no_grad(), OfficialReferenceBlocks(unet):
        for i in reversed(range(params.drag_step_index)):
            x = torch.cat([z, latents[i]]) if i < params.reference_steps else z
            noise_pred = apply_model(x, i, cond)[:1]
            e_t_uncond = apply_model(z, i, uncond)
            noise_pred = e_t_uncond + w * (noise_pred - e_t_uncond)
            z = sched.denoise_step(z, noise_pred, i)
    return z


def test_prompt_cfg_denoising_matches_a_restatement_of_the_official_gen_loop(adapter, monkeypatch):
    """Capture the engine's dragged latent and inversion latents; gen() from there gives our z_0."""
    params = FAST.replace(guidance_mode="prompt_cfg", cfg_scale=6.0, max_iterations=2)
    seen = {}
    real_denoise = pipeline.DDIMSchedule.denoise_step
    real_invert = pipeline.DDIMSchedule.invert_step

    def invert_spy(self, z, eps, i):
        seen.setdefault("latents", [z.clone()])
        out = real_invert(self, z, eps, i)
        seen["latents"].append(out.clone())
        return out

    def denoise_spy(self, z, eps, i):
        seen.setdefault("z_t", z.clone())
        out = real_denoise(self, z, eps, i)
        seen["z_0"] = out.clone()
        return out

    monkeypatch.setattr(pipeline.DDIMSchedule, "invert_step", invert_spy)
    monkeypatch.setattr(pipeline.DDIMSchedule, "denoise_step", denoise_spy)
    _drag(adapter, params, negative="blurry, ugly")
    monkeypatch.undo()
    cond, uncond = adapter.text_context("a red disc"), adapter.text_context("blurry, ugly")
    z0 = _official_gen_denoise(adapter, seen["z_t"], seen["latents"], cond, uncond, params, 6.0)
    assert torch.allclose(z0, seen["z_0"], atol=1e-4, rtol=1e-4), (z0 - seen["z_0"]).abs().max()
    # and the result is not the reference-guidance one
    z0_ref = _official_gen_denoise(adapter, seen["z_t"], seen["latents"], cond, cond, params, 6.0)
    assert not torch.allclose(z0_ref, seen["z_0"], atol=1e-3)


def test_prompt_cfg_end_to_end_matches_the_official_structure(adapter):
    params = FAST.replace(guidance_mode="prompt_cfg", cfg_scale=5.0, max_iterations=4, lr=0.05)
    img = disc_image()
    ours = drag(adapter, img, "a red disc", HANDLES, TARGETS, params=params, negative_prompt="blurry")
    _, tracked, official_image = official_drag(adapter, img, "a red disc", HANDLES, TARGETS, params,
                                               full_inversion=False, negative_prompt="blurry",
                                               guidance_scale=5.0)
    assert [tuple(map(int, p)) for p in ours.final_handles] == tracked
    ours_t = image_to_tensor(ours.image)
    official_q = ((official_image + 1) * 127.5).round() / 127.5 - 1
    assert (ours_t - official_q).abs().max().item() < 4 / 255


def test_conditionings_of_different_lengths_run_as_two_calls(adapter, monkeypatch):
    params = FAST.replace(guidance_mode="prompt_cfg", cfg_scale=5.0, max_iterations=1)
    real = adapter.text_context

    def longer_negative(text):
        c = real(text)
        return torch.cat([c, c], dim=1) if text == "blurry" else c   # like a BREAK: 154 tokens

    monkeypatch.setattr(adapter, "text_context", longer_negative)
    r = _drag(adapter, params, negative="blurry")
    assert r.image.size == (64, 64)


def test_a_negative_prompt_must_be_text(adapter):
    with pytest.raises(ValueError, match="negative_prompt must be a string"):
        _drag(adapter, FAST, negative=3)


def test_the_negative_is_compared_with_the_prompt_once_per_drag_not_per_step(adapter, monkeypatch):
    equal, calls = torch.equal, []
    monkeypatch.setattr(torch, "equal", lambda a, b: calls.append(1) or equal(a, b))
    params = FAST.replace(guidance_mode="prompt_cfg", cfg_scale=3.0)
    assert params.drag_step_index >= 2, "several denoising steps"
    _drag(adapter, params, negative="blurry")
    assert len(calls) == 1
