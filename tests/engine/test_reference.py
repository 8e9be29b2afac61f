import torch

from easydrag_ext.engine.reference import ReferenceAttention, decoder_transformer_blocks
from easydrag_ext.engine.unet_forward import concat_features, unet_forward

from .helpers import official_reference


def _zs(model):
    g = torch.Generator().manual_seed(3)
    z_orig = torch.randn(1, 4, 8, 8, generator=g)
    return z_orig, z_orig + 0.3 * torch.randn(1, 4, 8, 8, generator=g), model.get_learned_conditioning(["a cat"])


def test_decoder_blocks_are_output_blocks_3_to_11(tiny_model):
    blocks = decoder_transformer_blocks(tiny_model.model.diffusion_model)
    assert len(blocks) == 9
    expected = [m for i in range(3, 12) for m in tiny_model.model.diffusion_model.output_blocks[i].modules()
                if type(m).__name__ == "BasicTransformerBlock"]
    assert blocks == expected


def test_cached_reference_equals_the_official_batch2_forward(tiny_model):
    unet = tiny_model.model.diffusion_model
    z_orig, z_edit, c = _zs(tiny_model)
    t1, t2 = torch.tensor([681]), torch.tensor([681, 681])
    with torch.no_grad():
        with official_reference(unet):
            _, f_official = unet_forward(unet, torch.cat([z_edit, z_orig]), t2, torch.cat([c, c]),
                                         feature_blocks=(5, 8), stop_after=8)
        with ReferenceAttention(unet) as ref:
            bank = ref.record()
            _, f0 = unet_forward(unet, z_orig, t1, c, feature_blocks=(5, 8), stop_after=8)
            ref.inject(bank)
            _, f_ours = unet_forward(unet, z_edit, t1, c, feature_blocks=(5, 8), stop_after=8)
    ours, official = concat_features(f_ours), concat_features(f_official)
    assert torch.allclose(ours[0], official[0], atol=1e-5)
    # the official reference row is the plain forward of z_orig: the same call that gave F0
    assert torch.allclose(concat_features(f0)[0], official[1], atol=1e-5)
    # and reference attention really changes the edited features
    with torch.no_grad():
        _, f_plain = unet_forward(unet, z_edit, t1, c, feature_blocks=(5, 8), stop_after=8)
    assert not torch.allclose(concat_features(f_plain), ours, atol=1e-4)


def test_self_reference_is_the_identity_and_idle_is_bit_identical(tiny_model):
    unet = tiny_model.model.diffusion_model
    z, _, c = _zs(tiny_model)
    t = torch.tensor([301])
    with torch.no_grad():
        plain = unet(z, t, context=c)
        with ReferenceAttention(unet) as ref:
            assert torch.equal(unet(z, t, context=c), plain)        # installed but idle
            bank = ref.record()
            assert torch.equal(unet(z, t, context=c), plain)        # recording changes nothing
            ref.inject(bank)
            assert torch.allclose(unet(z, t, context=c), plain, atol=1e-6)


def test_mixed_batch_rows(tiny_model):
    unet = tiny_model.model.diffusion_model
    z_orig, z_edit, c = _zs(tiny_model)
    t1, t2 = torch.tensor([441]), torch.tensor([441, 441])
    with torch.no_grad(), ReferenceAttention(unet) as ref:
        bank = ref.record()
        unet(z_orig, t1, context=c)
        ref.inject(bank, from_row=1)
        both = unet(torch.cat([z_edit, z_edit]), t2, context=torch.cat([c, c]))
        ref.idle()
        plain = unet(z_edit, t1, context=c)
        ref.inject(bank)
        injected = unet(z_edit, t1, context=c)
    assert torch.allclose(both[:1], plain, atol=1e-5)
    assert torch.allclose(both[1:], injected, atol=1e-5)


def test_hooks_run_through_a_host_swapped_attention_forward(tiny_model, monkeypatch):
    """The WebUI replaces CrossAttention.forward at class level; injection must go through it."""
    from ldm.modules.attention import CrossAttention

    calls = []

    def sdp_forward(self, x, context=None, mask=None):   # an SDP kernel, like the WebUI's "sdp"
        calls.append((id(self), context is not None))
        h = self.heads
        ctx = x if context is None else context
        q, k, v = self.to_q(x), self.to_k(ctx), self.to_v(ctx)
        b, n, _ = q.shape
        q, k, v = (t.reshape(b, -1, h, t.shape[-1] // h).transpose(1, 2) for t in (q, k, v))
        out = torch.nn.functional.scaled_dot_product_attention(q, k, v)
        return self.to_out(out.transpose(1, 2).reshape(b, n, -1))

    unet = tiny_model.model.diffusion_model
    z_orig, z_edit, c = _zs(tiny_model)
    t = torch.tensor([681])
    with torch.no_grad():
        with ReferenceAttention(unet) as ref:
            bank = ref.record()
            unet(z_orig, t, context=c)
            ref.inject(bank)
            expected = unet(z_edit, t, context=c)
        monkeypatch.setattr(CrossAttention, "forward", sdp_forward)
        with ReferenceAttention(unet) as ref:
            bank = ref.record()
            unet(z_orig, t, context=c)
            calls.clear()
            ref.inject(bank)
            got = unet(z_edit, t, context=c)
    self_attn = {id(m.attn1) for m in unet.modules() if type(m).__name__ == "BasicTransformerBlock"}
    attn1_calls = [with_ctx for i, with_ctx in calls if i in self_attn]
    assert len(attn1_calls) == 16 and sum(attn1_calls) == 9, \
        "each decoder self-attention must get the reference context via the host kernel"
    assert torch.allclose(got, expected, atol=1e-5)


def test_remove_restores_instance_state_even_when_a_forward_was_set(tiny_model):
    unet = tiny_model.model.diffusion_model
    blocks = decoder_transformer_blocks(unet)
    custom = blocks[0]._forward           # bound class method
    blocks[0]._forward = custom           # an instance attribute set by someone else
    try:
        before = [dict(vars(b)) for b in blocks]
        ref = ReferenceAttention(unet).install()
        assert all("_forward" in vars(b) for b in blocks)
        ref.remove()
        assert [dict(vars(b)) for b in blocks] == before
    finally:
        del blocks[0]._forward
