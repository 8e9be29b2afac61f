"""Issue 18's engine defects on the CUDA path, each reproduced on a CPU: torch 2.1's GradScaler, fp8
weights, overflowed fp16 gradients, NaN per phase, the drag's attention kernel, the cache, token
merging and the model's own schedule."""
import contextlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from easydrag_ext import DragParams, LdmAdapter, drag
from easydrag_ext.engine import optimize, pipeline
from easydrag_ext.engine.adapter import HostPrecision, NanError
from easydrag_ext.engine.cache import InversionCache
from easydrag_ext.engine.optimize import grad_scaler, optimize_latent
from easydrag_ext.engine.reference import ReferenceAttention, decoder_transformer_blocks
from easydrag_ext.engine.unet_forward import unet_forward
from easydrag_ext.testing.tiny_ldm import build_tiny_model

from .helpers import assert_same_host, disc_image, host_snapshot
from .test_drag import FAST

OUT_HW = (32, 32)


def conv_features(seed=0, device="cpu"):
    weight = torch.randn(6, 4, 3, 3, generator=torch.Generator().manual_seed(seed)).to(device)
    return lambda z: F.conv2d(z, weight, padding=1)


class InfGradOnce(torch.autograd.Function):
    """Identity whose backward gives inf on the listed backward calls (0-based), as an fp16 overflow."""

    calls = 0
    bad = ()

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        n = InfGradOnce.calls
        InfGradOnce.calls += 1
        return torch.full_like(g, float("inf")) if n in InfGradOnce.bad else g


def overflowing(features, bad):
    InfGradOnce.calls, InfGradOnce.bad = 0, tuple(bad)
    return lambda z: features(InfGradOnce.apply(z))


def latent_case(device="cpu"):
    z_t = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(1)).to(device)
    features = conv_features(device=device)
    return z_t, features, features(z_t)


class StandInScaler:
    """torch.amp.GradScaler's contract on a CPU, for torch builds without a CPU GradScaler (< 2.3):
    multiply by the scale, unscale and skip the step on inf, halve the scale after a skip."""

    def __init__(self):
        self.s, self.found_inf = 65536.0, False

    def scale(self, loss):
        return loss * self.s

    def get_scale(self):
        return self.s

    def step(self, opt):
        grads = [p.grad for g in opt.param_groups for p in g["params"] if p.grad is not None]
        for g in grads:
            g.div_(self.s)
        self.found_inf = not all(bool(torch.isfinite(g).all()) for g in grads)
        if not self.found_inf:
            opt.step()

    def update(self):
        if self.found_inf:
            self.s *= 0.5


def cpu_scaler():
    amp_scaler = getattr(torch.amp, "GradScaler", None)
    return amp_scaler("cpu") if amp_scaler is not None else StandInScaler()


# -- GradScaler on torch 2.1 ---------------------------------------------------------------------
def test_grad_scaler_falls_back_to_torch_cuda_amp_where_torch_amp_has_none(monkeypatch):
    monkeypatch.delattr(torch.amp, "GradScaler", raising=False)      # torch 2.1.2, as the WebUI installs
    assert isinstance(grad_scaler(), torch.cuda.amp.GradScaler)
    dev = "cuda" if torch.cuda.is_available() else "cpu"     # a CUDA scaler is disabled without CUDA
    z_t, features, f0 = latent_case(dev)
    params = DragParams(max_iterations=2, lr=0.1, motion_step=4, snap_radius=6, mask_mode="auto")
    out = optimize_latent(features, z_t, f0, [(6, 6)], [(18, 6)], params, OUT_HW, use_scaler=True)
    assert out.iterations == 2 and torch.isfinite(out.z).all()


# -- overflowed fp16 gradients --------------------------------------------------------------------
def test_an_overflowed_gradient_never_becomes_the_auto_mask():
    """Backward 0 is the auto mask's gradient at iteration 0: inf there used to give an empty editable
    area (the keep term then covering the handles) that stayed until a point moved."""
    z_t, features, f0 = latent_case()
    params = DragParams(max_iterations=2, lr=1e-4, motion_step=4, snap_radius=6, mask_mode="auto")
    out = optimize_latent(overflowing(features, bad=[0]), z_t, f0, [(6, 6)], [(18, 6)], params, OUT_HW)
    assert out.handles == [(6, 6)], "the case needs a point that does not move"
    assert out.editable is not None and out.editable.any(), "the mask is built from the next finite gradient"
    assert out.heat is not None and out.heat.max() == 1


def test_a_step_the_scaler_skips_is_not_an_iteration(monkeypatch):
    monkeypatch.setattr(optimize, "grad_scaler", cpu_scaler)
    z_t, features, f0 = latent_case()
    params = DragParams(max_iterations=3, lr=0.1, motion_step=4, snap_radius=6, mask_mode="none")
    steps = []
    skipped = optimize_latent(overflowing(features, bad=[0]), z_t, f0, [(6, 6)], [(18, 6)], params, OUT_HW,
                              use_scaler=True, on_step=lambda i, p: steps.append(i))
    clean = optimize_latent(conv_features(), z_t, f0, [(6, 6)], [(18, 6)], params, OUT_HW, use_scaler=True)
    assert skipped.skipped_steps == 1 and clean.skipped_steps == 0
    assert skipped.iterations == 3 and steps == [1, 2, 3]
    # the scale is a power of two, so unscaled gradients and hence the steps are the same
    assert torch.equal(skipped.z, clean.z)


# -- fp8 weights ------------------------------------------------------------------------------------
def fp8_model():
    model = build_tiny_model()
    for m in model.model.diffusion_model.modules():     # as sd_models.load_model_weights does
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            m.to(torch.float8_e4m3fn)
    return model


def test_fp8_weights_compute_in_the_hosts_dtype():
    model = fp8_model()
    assert LdmAdapter(model).unet_dtype == torch.float8_e4m3fn
    assert LdmAdapter(model).compute_dtype == torch.bfloat16          # devices.autocast() on a CPU
    assert LdmAdapter(model, host=HostPrecision(compute_dtype=torch.float16)).compute_dtype == torch.float16
    assert LdmAdapter(build_tiny_model()).compute_dtype == torch.float32


def test_a_drag_runs_on_fp8_weights_and_leaves_them_fp8():
    model = fp8_model()
    before = host_snapshot(model)
    r = drag(LdmAdapter(model), disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    assert r.iterations == FAST.max_iterations
    assert np.asarray(r.image).std() > 0
    assert_same_host(before, host_snapshot(model))


# -- NaN per phase ------------------------------------------------------------------------------------
@contextlib.contextmanager
def nan_after(module, calls):
    """`module` outputs NaN from its `calls`-th call on (a hook, removed afterwards)."""
    seen = [0]

    def hook(_m, _i, out):
        seen[0] += 1
        return out * float("nan") if seen[0] > calls else out

    handle = module.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


def test_nan_from_the_unet_in_the_inversion_names_the_unet_and_is_not_cached():
    model = build_tiny_model()
    adapter = LdmAdapter(model, host=HostPrecision(compute_dtype=torch.bfloat16))   # half, as on a GPU
    cache = InversionCache()
    with nan_after(model.model.diffusion_model.out, 0), pytest.raises(NanError) as e:
        drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST, cache=cache)
    assert (e.value.part, e.value.phase) == ("unet", "inversion")
    assert "--upcast-sampling" in str(e.value) and "--no-half-vae" not in str(e.value)
    assert len(cache) == 0, "a NaN inversion must not be reused"
    upcast = LdmAdapter(model, host=HostPrecision(compute_dtype=torch.bfloat16, upcast_sampling=True))
    assert "--no-half" in upcast.nan_hint("unet") and "--upcast-sampling" not in upcast.nan_hint("unet")


def test_nan_from_the_unet_while_denoising_names_the_denoise_phase():
    model = build_tiny_model()
    with nan_after(model.model.diffusion_model.out, FAST.drag_step_index), pytest.raises(NanError) as e:
        drag(LdmAdapter(model), disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    assert (e.value.part, e.value.phase) == ("unet", "denoise")


def test_nan_from_an_fp32_vae_names_the_vae():
    model = build_tiny_model()
    with nan_after(model.first_stage_model.decoder, 0), pytest.raises(NanError) as e:
        drag(LdmAdapter(model), disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    assert (e.value.part, e.value.phase) == ("vae", "decode")
    assert "UNet" not in str(e.value)


def half_vae_that_overflows(monkeypatch):
    """A half VAE whose decode gives NaN (as fp16 overflow does) and works in fp32."""
    model = build_tiny_model()
    model.first_stage_model.half()
    real = type(model).decode_first_stage

    def decode(z):
        if next(model.first_stage_model.parameters()).dtype == torch.float16:
            return torch.full((1, 3, z.shape[-2] * 8, z.shape[-1] * 8), float("nan"), dtype=torch.float16)
        return real(model, z)

    monkeypatch.setattr(model, "decode_first_stage", decode, raising=False)
    return model


def test_a_half_vae_that_gives_nan_is_retried_in_fp32_and_keeps_its_weights(monkeypatch):
    model = half_vae_that_overflows(monkeypatch)
    before = {k: v.clone() for k, v in model.first_stage_model.state_dict().items()}
    adapter = LdmAdapter(model)
    x = adapter.decode(torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(0)))
    assert torch.isfinite(x).all() and adapter.vae_retried
    after = model.first_stage_model.state_dict()
    assert all(after[k].dtype == torch.float16 and torch.equal(after[k], v) for k, v in before.items())

    off = LdmAdapter(model, host=HostPrecision(vae_fp32_retry=False))       # auto_vae_precision off
    with pytest.raises(NanError, match="--no-half-vae") as e:
        off.decode(torch.zeros(1, 4, 8, 8))
    assert e.value.part == "vae"


# -- the drag's attention kernel -------------------------------------------------------------------
def test_the_drags_backward_runs_sdpa_while_inference_keeps_the_hosts_kernel(monkeypatch):
    from ldm.modules.attention import CrossAttention

    from easydrag_ext.engine import sdp

    host_calls, sdpa_calls = [], []

    def doggettx_like(self, x, context=None, mask=None):      # full attention matrices, as Doggettx keeps
        host_calls.append(torch.is_grad_enabled())
        h, ctx = self.heads, (x if context is None else context)
        q, k, v = self.to_q(x), self.to_k(ctx), self.to_v(ctx)
        q, k, v = (t.reshape(t.shape[0], -1, h, t.shape[-1] // h).transpose(1, 2) for t in (q, k, v))
        attn = (q @ k.transpose(-1, -2) * self.scale).softmax(-1)
        out = (attn @ v).transpose(1, 2).reshape(x.shape[0], x.shape[1], -1)
        return self.to_out(out)

    real_sdpa = F.scaled_dot_product_attention

    def counting_sdpa(*a, **kw):
        sdpa_calls.append(torch.is_grad_enabled())
        return real_sdpa(*a, **kw)

    monkeypatch.setattr(CrossAttention, "forward", doggettx_like)
    monkeypatch.setattr(sdp.F, "scaled_dot_product_attention", counting_sdpa)
    model = build_tiny_model()
    before = host_snapshot(model)
    drag(LdmAdapter(model), disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST)
    assert host_calls and not any(host_calls), "inference calls use the host's kernel, never with grad"
    assert sdpa_calls and all(sdpa_calls), "every grad-enabled attention call runs SDPA"
    assert_same_host(before, host_snapshot(model))


def test_upcast_attention_runs_sdpa_in_float32():
    from easydrag_ext.engine.sdp import sdp_attention_forward

    model = build_tiny_model()
    attn = next(m for m in model.model.diffusion_model.modules() if hasattr(m, "to_q"))
    seen = []
    real = F.scaled_dot_product_attention
    x = torch.randn(1, 16, attn.to_q.in_features)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        F.scaled_dot_product_attention = lambda q, k, v: seen.append(q.dtype) or real(q, k, v)
        try:
            sdp_attention_forward(attn, x, upcast=True)
            sdp_attention_forward(attn, x, upcast=False)
        finally:
            F.scaled_dot_product_attention = real
    assert seen == [torch.float32, torch.bfloat16]


# -- the inversion cache -------------------------------------------------------------------------
def test_a_cache_miss_drops_the_old_entry_before_inverting(adapter, monkeypatch):
    cache = InversionCache()
    drag(adapter, disc_image(), "x", [(20, 20)], [(40, 30)], params=FAST, cache=cache)
    assert len(cache) == 1
    real_invert, sizes = pipeline._invert, []

    def invert(*a, **kw):
        sizes.append(len(cache))
        return real_invert(*a, **kw)

    monkeypatch.setattr(pipeline, "_invert", invert)
    drag(adapter, disc_image(), "another prompt", [(20, 20)], [(40, 30)], params=FAST, cache=cache)
    assert sizes == [0] and len(cache) == 1


def test_an_offloading_cache_keeps_its_entries_on_the_cpu(monkeypatch):
    from easydrag_ext.engine import cache as cache_module

    moves = []
    real_move = cache_module.move
    monkeypatch.setattr(cache_module, "move", lambda v, d: moves.append(str(d)) or real_move(v, d))
    value = (torch.ones(2), {0: {1: torch.zeros(1)}}, None)
    InversionCache(offload=False).put("k", value)
    assert moves == []
    cache = InversionCache(offload=True)
    cache.put("k", value)
    got = cache.get("k", torch.device("cpu"))
    assert moves[0] == "cpu" and torch.equal(got[1][0][1], torch.zeros(1)) and got[2] is None


# -- token merging and the schedule ----------------------------------------------------------------
def test_reference_blocks_are_found_after_token_merging_renames_their_class():
    model = build_tiny_model()
    unet = model.model.diffusion_model
    n = len(decoder_transformer_blocks(unet))
    for m in unet.modules():                      # what tomesd.apply_patch does to each block
        if type(m).__name__ == "BasicTransformerBlock":
            m.__class__ = type("ToMeBlock", (type(m),), {})
    assert n > 0 and len(decoder_transformer_blocks(unet)) == n
    x = torch.randn(1, 4, 8, 8)
    with torch.no_grad(), ReferenceAttention(unet) as ref:
        recorded = ref.record()
        unet_forward(unet, x, torch.tensor([500]), model.get_learned_conditioning(["x"]))
    assert len(recorded) == n


def test_the_schedule_is_the_models_own_not_the_last_samplings_override(tiny_model, monkeypatch):
    own = tiny_model.alphas_cumprod.clone()
    monkeypatch.setattr(tiny_model, "alphas_cumprod_original", own, raising=False)
    monkeypatch.setattr(tiny_model, "alphas_cumprod", own.half().float() * 0.5)   # e.g. downcast / ZTSNR left it
    assert torch.equal(LdmAdapter(tiny_model).alphas_cumprod, own.double())


# -- host-device syncs per drag iteration --------------------------------------------------------
SYNCING_OPS = ("_local_scalar_dense", "nonzero", "masked_select", "lift_fresh", "is_nonzero", "equal")


def test_a_drag_iteration_makes_no_hidden_host_device_round_trips():
    """Ops that sync on CUDA (a bool/item read, boolean-mask indexing, a tensor built from a Python list
    and copied to the device), counted with a dispatch mode over 4 iterations with 2 handles.  What is
    left is one `.tolist()` per iteration in `track` (whether each point moved), which on a CPU does not
    dispatch: about 1 sync per iteration in fp32 and 3 with the fp16 GradScaler, where there were ~60."""
    import traceback

    from torch.utils._python_dispatch import TorchDispatchMode

    class Count(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.ops = []

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = func.__name__.split(".")[0]
            if name in SYNCING_OPS:
                # Adam reads its step counter, a CPU tensor even on CUDA: no device sync
                if not any("torch/optim" in f.filename for f in traceback.extract_stack(limit=8)):
                    self.ops.append(name)
            return func(*args, **(kwargs or {}))

    z_t, features, f0 = latent_case()
    editable = torch.zeros(OUT_HW, dtype=torch.bool)
    editable[0:20, 0:28] = True
    params = DragParams(max_iterations=4, lr=0.1, motion_step=4, snap_radius=6, mask_mode="user",
                        arrived_weight=0.5)
    with Count() as counter:
        out = optimize_latent(features, z_t, f0, [(6, 6), (20, 20)], [(18, 6), (8, 24)], params, OUT_HW,
                              user_editable=editable)
    assert out.iterations == 4
    assert counter.ops == ["nonzero"], "only the keep region's indices, once per mask"
