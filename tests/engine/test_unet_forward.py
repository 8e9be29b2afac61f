import torch

from easydrag_ext.engine.unet_forward import concat_features, timestep_embedding, unet_forward


def _inputs(model, b=1):
    g = torch.Generator().manual_seed(1)
    return torch.randn(b, 4, 8, 8, generator=g), torch.tensor([681] * b), model.get_learned_conditioning(["x"] * b)


def test_timestep_embedding_is_ldms():
    from ldm.modules.diffusionmodules.util import timestep_embedding as ldm_embedding

    t = torch.tensor([1, 681, 981])
    for dim in (320, 32, 33):
        assert torch.equal(timestep_embedding(t, dim), ldm_embedding(t, dim))


def test_full_forward_is_bit_identical_to_the_model(tiny_model):
    unet = tiny_model.model.diffusion_model
    x, t, c = _inputs(tiny_model)
    with torch.no_grad():
        ours, _ = unet_forward(unet, x, t, c)
        assert torch.equal(ours, unet(x, t, context=c))


def test_truncated_forward_gives_the_same_features_and_stops(tiny_model):
    unet = tiny_model.model.diffusion_model
    x, t, c = _inputs(tiny_model)
    seen = {}
    hooks = [unet.output_blocks[i].register_forward_hook(lambda m, a, o, i=i: seen.__setitem__(i, o))
             for i in range(12)]
    try:
        with torch.no_grad():
            unet(x, t, context=c)
            full = dict(seen)
            seen.clear()
            eps, feats = unet_forward(unet, x, t, c, feature_blocks=(5, 8), stop_after=8)
    finally:
        for h in hooks:
            h.remove()
    assert eps is None
    assert sorted(seen) == list(range(9)), "blocks 9-11 must not run"
    for i in (5, 8):
        assert torch.equal(feats[i], full[i])


def test_concat_features_upsamples_to_the_largest_block(tiny_model):
    unet = tiny_model.model.diffusion_model
    x, t, c = _inputs(tiny_model)
    with torch.no_grad():
        _, feats = unet_forward(unet, x, t, c, feature_blocks=(5, 8), stop_after=8)
    f = concat_features(feats)
    assert feats[5].shape[-1] * 2 == feats[8].shape[-1] == 8
    assert f.shape == (1, feats[5].shape[1] + feats[8].shape[1], 8, 8)
    # SD-1.5 widths give 1280 + 640 = 1920 channels: the tiny model keeps the same 2:1 layout
    assert feats[5].shape[1] == 2 * feats[8].shape[1]


def test_decoder_copies_share_the_encoder_exactly(tiny_model):
    from easydrag_ext.engine.reference import ReferenceAttention

    unet = tiny_model.model.diffusion_model
    x, t, c = _inputs(tiny_model)
    g = torch.Generator().manual_seed(5)
    z_ref = torch.randn(1, 4, 8, 8, generator=g)
    with torch.no_grad(), ReferenceAttention(unet) as ref:
        bank = ref.record()
        unet_forward(unet, z_ref, t, c)
        ref.inject(bank, from_row=1)
        shared, _ = unet_forward(unet, x, t, c, decoder_copies=2)
        full, _ = unet_forward(unet, torch.cat([x, x]), torch.cat([t, t]), torch.cat([c, c]))
    assert shared.shape == full.shape == (2, 4, 8, 8)
    assert torch.allclose(shared, full, atol=1e-6)
    assert not torch.allclose(shared[0], shared[1], atol=1e-4)   # row 1 really is the reference row
