"""The bundled ShapesDrag model: SD-1.5 surface and layout, exact first stage, trained weights."""
import numpy as np
import pytest
import torch

from easydrag_ext.models import shapes_model


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
    from easydrag_ext.shapes.train import batch

    x, _ = batch(np.random.default_rng(123), 64, shapes_model.IMAGE_SIZE)
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


def test_the_shipped_weights_record_the_shipped_layout_and_unknown_layouts_are_refused(trained_model):
    from safetensors import safe_open

    with safe_open(str(shapes_model.WEIGHTS), "pt") as f:
        assert f.metadata()["layout"] == shapes_model.SHIPPED_LAYOUT == trained_model.layout
    with pytest.raises(ValueError, match="unknown layout"):
        shapes_model.build(layout="huge")
    with pytest.raises(ValueError, match="48 top-level channels"):
        shapes_model.layout_of({"model.diffusion_model.input_blocks.0.0.weight": torch.zeros(48, 12, 3, 3)})


@pytest.mark.parametrize("layout, width, groups", [("narrow", 32, 32), ("narrow-paired-out", 32, 16),
                                                   ("wide-top", 64, 32)])
def test_each_layout_has_its_width_and_output_norm_groups(layout, width, groups):
    # paired-out: the same ldm GroupNorm32 class with two channels per group before the output conv,
    # so the UNet can predict the latent's channel means (docs/shapes.md, "where the grain comes from")
    from ldm.modules.diffusionmodules.util import GroupNorm32

    unet = shapes_model.build(layout=layout).model.diffusion_model
    norm = unet.out[0]
    assert type(norm) is GroupNorm32
    assert (unet.model_channels, norm.num_channels, norm.num_groups) == (width, width, groups)


def test_files_without_a_recorded_layout_load_by_width(tmp_path):
    # weights saved before layouts were recorded: 32 channels were always ldm's 32-group norm
    from safetensors.torch import save_file

    for layout in ("narrow", "wide-top"):
        state = {k: v.contiguous() for k, v in shapes_model.build(layout=layout).state_dict().items()}
        save_file(state, str(tmp_path / f"{layout}.safetensors"))
        assert shapes_model.load(tmp_path / f"{layout}.safetensors").layout == layout


def test_missing_weights_give_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="shapes.train"):
        shapes_model.load(tmp_path / "absent.safetensors")


@torch.no_grad()
def _eps_error(model, t: int, n: int = 8) -> float:
    """Noise-prediction MSE on held-out scenes at timestep t (fixed noise)."""
    from easydrag_ext.engine.sdp import sdp_attention
    from easydrag_ext.shapes.tasks import tasks

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


def test_detail_offset_is_the_mean_of_the_difference_bands_and_removing_it_keeps_averages():
    z = torch.zeros(2, shapes_model.LATENT_CHANNELS, 4, 4)
    z[0, 1] = 0.6                               # red horizontal difference, constant: a 2x2 pattern
    z[0, 5, 0, 0] = 1.6                         # green vertical difference, one block (an edge)
    z[1, 0] = torch.arange(16.).view(4, 4)      # block averages only
    torch.testing.assert_close(shapes_model.detail_offset(z), torch.tensor([(0.6 + 0.1) / 9, 0.0]))
    flat = shapes_model.without_detail_offset(z)
    assert torch.equal(flat[:, [0, 4, 8]], z[:, [0, 4, 8]])
    torch.testing.assert_close(shapes_model.detail_offset(flat), torch.zeros(2))
    torch.testing.assert_close(flat[0, 5, 0, 0], torch.tensor(1.5))
