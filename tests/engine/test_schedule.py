import numpy as np
import torch

from easydrag_ext.engine.schedule import DDIMSchedule
from easydrag_ext.testing.tiny_ldm import sd_alphas_cumprod


def test_uniform_timesteps_and_t681():
    s = DDIMSchedule.make(sd_alphas_cumprod(), 50)
    assert s.timesteps == list(range(1, 1000, 20))
    assert s.timesteps[34] == 681          # z_t after 35 of 50 inversion steps


def test_alphas_match_ldm_ddim_parameters():
    from ldm.modules.diffusionmodules.util import make_ddim_sampling_parameters, make_ddim_timesteps

    ac = sd_alphas_cumprod()
    ts = make_ddim_timesteps("uniform", 50, 1000, verbose=False)
    _, a, a_prev = make_ddim_sampling_parameters(ac.numpy(), ts, 0.0, verbose=False)
    s = DDIMSchedule.make(ac, 50)
    assert list(ts) == s.timesteps
    assert np.allclose(a, s.alphas) and np.allclose(a_prev, s.alphas_prev)


def test_sd_schedule_matches_ldm_make_beta_schedule():
    from ldm.modules.diffusionmodules.util import make_beta_schedule

    betas = make_beta_schedule("linear", 1000, 0.00085, 0.012)
    assert np.allclose(np.cumprod(1 - betas), sd_alphas_cumprod().numpy(), rtol=1e-6)


def test_inversion_then_denoising_round_trips_for_the_same_noise():
    s = DDIMSchedule.make(sd_alphas_cumprod(), 50)
    z0 = torch.randn(1, 4, 8, 8, dtype=torch.float64)
    eps = [torch.randn_like(z0) for _ in range(35)]
    z = z0
    for i in range(35):
        z = s.invert_step(z, eps[i], i)
    for i in reversed(range(35)):
        z = s.denoise_step(z, eps[i], i)
    assert torch.allclose(z, z0, atol=1e-9)


def test_invert_step_matches_the_official_formula():
    s = DDIMSchedule.make(sd_alphas_cumprod(), 50)
    z, eps = torch.randn(1, 4, 2, 2, dtype=torch.float64), torch.randn(1, 4, 2, 2, dtype=torch.float64)
    i = 7
    alphas_next, alphas = s.alphas[i], s.alphas_prev[i]     # official invert(): next / prev naming
    pred_x0 = (z - (1 - alphas) ** 0.5 * eps) / alphas ** 0.5
    expect = alphas_next ** 0.5 * pred_x0 + (1 - alphas_next) ** 0.5 * eps
    assert torch.allclose(s.invert_step(z, eps, i), expect)
