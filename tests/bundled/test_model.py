"""The bundled ShapesDrag model: SD-1.5 surface and layout, exact first stage, trained weights."""
import numpy as np
import pytest
import torch

from easydrag_ext.bundled import model as shapes_model


@pytest.fixture(scope="module")
def random_model():
    return shapes_model.build(seed=0)


@pytest.fixture(scope="module")
def trained_model():
    return shapes_model.load()


def test_sd15_block_layout(random_model):
    from ldm.modules.attention import SpatialTransformer
    from ldm.modules.diffusionmodules.openaimodel import UNetModel

    unet = random_model.model.diffusion_model
    assert isinstance(unet, UNetModel)
    assert len(unet.output_blocks) == 12 and len(unet.channel_mult) == 4
    has_attention = [any(isinstance(m, SpatialTransformer) for m in b) for b in unet.output_blocks]
    assert has_attention == [False] * 3 + [True] * 9      # self-attention in output blocks 3-11
    assert random_model.parameterization == "eps"
    assert random_model.alphas_cumprod.shape == (1000,)


def test_first_stage_is_exact(random_model):
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    z = random_model.get_first_stage_encoding(random_model.encode_first_stage(x))
    assert z.shape == (2, shapes_model.LATENT_CHANNELS, 16, 16)
    torch.testing.assert_close(random_model.decode_first_stage(z), x, atol=1e-6, rtol=0)


def test_first_stage_latent_is_weighted_haar_of_each_2x2_block(random_model):
    # one block, one colour: average and differences, the differences weighted up 4x
    x = torch.zeros(1, 3, 2, 2)
    x[0, 0] = torch.tensor([[0.5, 0.1], [0.3, -0.1]])
    z = random_model.get_first_stage_encoding(random_model.encode_first_stage(x))
    a, b, c, d = 0.5, 0.1, 0.3, -0.1
    want = 2.0 * torch.tensor([(a + b + c + d) / 2, 4 * (a - b + c - d) / 2, 4 * (a + b - c - d) / 2,
                               4 * (a - b - c + d) / 2])
    torch.testing.assert_close(z[0, :4, 0, 0], want)
    assert torch.count_nonzero(z[0, 4:]) == 0


def test_scene_latents_have_about_unit_variance_per_channel(random_model):
    # what SD's scale_factor (0.18215) is for: the noise schedule assumes it
    from easydrag_ext.bundled.scenes import random_scene, render

    rng = np.random.default_rng(123)
    images = np.stack([render(random_scene(rng, shapes_model.IMAGE_SIZE)) for _ in range(64)])
    x = torch.from_numpy(images).float().permute(0, 3, 1, 2) / 127.5 - 1
    z = random_model.get_first_stage_encoding(random_model.encode_first_stage(x))
    std = z.view(64, 3, 4, 16, 16).transpose(0, 2).reshape(4, -1).std(dim=1)
    assert random_model.scale_factor == shapes_model.SCALE_FACTOR
    assert all(0.5 < float(s) < 2.5 for s in std), std


def test_the_engine_accepts_it_with_latent_factor_2(random_model):
    from easydrag_ext.engine import LdmAdapter
    from easydrag_ext.engine.pipeline import _latent_factor

    adapter = LdmAdapter(random_model)
    assert _latent_factor(random_model) == 2
    assert adapter.unet_downsampling == 8
    c = adapter.text_context("a red disc on a plain grey background")
    assert c.shape == (1, 77, shapes_model.CONTEXT_DIM)


def test_weights_file_is_small_and_matches_the_definition(random_model):
    from safetensors.torch import load_file

    assert shapes_model.WEIGHTS.stat().st_size <= 20 * 1024 * 1024
    state = load_file(str(shapes_model.WEIGHTS))
    expected = random_model.state_dict()
    assert set(state) == set(expected)
    assert all(state[k].shape == expected[k].shape for k in expected)


def test_the_shipped_weights_record_the_shipped_layout(trained_model):
    from safetensors import safe_open

    with safe_open(str(shapes_model.WEIGHTS), "pt") as f:
        assert f.metadata()["layout"] == shapes_model.SHIPPED_LAYOUT == trained_model.layout
    # paired-out: the same ldm GroupNorm32 class with two channels per group before the output conv,
    # so the UNet can predict the latent's channel means (research/NOTES.md, "where the grain comes from")
    from ldm.modules.diffusionmodules.util import GroupNorm32

    norm = trained_model.model.diffusion_model.out[0]
    assert type(norm) is GroupNorm32 and (norm.num_channels, norm.num_groups) == (32, 16)


def test_the_shipped_model_is_not_the_test_fixture(random_model):
    from easydrag_ext.bundled.latent_diffusion import SmallLatentDiffusion
    from easydrag_ext.testing.tiny_ldm import TinyLatentDiffusion

    assert isinstance(random_model, SmallLatentDiffusion)
    assert not isinstance(random_model, TinyLatentDiffusion)
    assert random_model.first_stage_model is None          # its first stage is the Haar transform


def test_missing_weights_give_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="weights .*absent.safetensors are missing: they ship with EasyDrag"):
        shapes_model.load(tmp_path / "absent.safetensors")


def test_a_file_that_is_not_weights_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.safetensors"
    bad.write_text("not a weights file")
    with pytest.raises(ValueError, match="not a safetensors weights file"):
        shapes_model.load(bad)


def test_weights_of_another_layout_are_refused_by_name(tmp_path):
    # the product runs the shipped layout only; research/shapes/layouts.py reads training runs of others
    from safetensors.torch import save_file

    state = {k: v.contiguous() for k, v in shapes_model.build().state_dict().items()}
    save_file(state, str(tmp_path / "run.safetensors"), metadata={"layout": "narrow"})
    with pytest.raises(ValueError, match="holds the narrow layout, not the shipped narrow-paired-out"):
        shapes_model.load(tmp_path / "run.safetensors")


@torch.no_grad()
def _eps_error(model, t: int, n: int = 8) -> float:
    """Noise-prediction MSE on held-out scenes at timestep t (fixed noise)."""
    from easydrag_ext.bundled.tasks import tasks
    from easydrag_ext.engine.sdp import sdp_attention

    scenes = [task.scene for task in tasks(n)]
    x = torch.stack([torch.from_numpy(np.asarray(task.image())) for task in tasks(n)]).permute(0, 3, 1, 2)
    z0 = model.get_first_stage_encoding(model.encode_first_stage(x.float() / 127.5 - 1))
    noise = torch.randn(z0.shape, generator=torch.Generator().manual_seed(0))
    a = model.alphas_cumprod[t]
    zt = a.sqrt() * z0 + (1 - a).sqrt() * noise
    with sdp_attention():
        eps = model.model.diffusion_model(zt, torch.full((n,), t), context=model.get_learned_conditioning(
            [s.caption() for s in scenes]))
    return float(((eps - noise) ** 2).mean())


def test_trained_weights_denoise_held_out_scenes(trained_model, random_model):
    # untrained: about 1 (it predicts nothing); the trained model removes most of the noise
    for t in (100, 500):
        assert _eps_error(random_model, t) > 0.5
        assert _eps_error(trained_model, t) < 0.1
