"""GPU memory of one drag, counted on the meta device (no GPU, no memory, deterministic).

    python bench/memory.py                    # SD-1.5, 512x512, 512x768, 768x768, SDP and Doggettx
    python bench/memory.py --sizes 512x768 --kernels sdp --json

The full SD-1.5 UNet (v1-inference layout) is built on the meta device in fp16, as the
WebUI loads it, and one drag iteration's forward is run under an fp16 autocast stand-in
and `torch.autograd.graph.saved_tensors_hooks`, which sees every tensor autograd keeps
for backward (deduplicated by storage; weights and resident tensors excluded).  Per case:

  saved    bytes kept for backward by one drag iteration's graph
  caches   what stays resident across iterations (ours: z_t, F0 and the reference banks
           of the inversion cache; official: every inversion latent and F0 at full resolution)
  weights  UNet + VAE + CLIP text encoder in fp16 (the official structure also holds fp16
           weight gradients: it calls loss.backward() with the weights requiring grad)
  adam     Adam's two moments of the latent (fp32)
  peak     weights + caches + adam + saved + backward workspace (twice the largest saved
           tensor: the gradients flowing into and out of it exist at once)
  drag     peak without the weights: what a drag needs on top of the loaded model, the
           number the product's memory guard (easydrag_ext/engine/memory.py) estimates

"ours low-VRAM" (DragParams.low_vram) recomputes each UNet block in backward: its graph
keeps the blocks' inputs plus, at any time, one block's inside.  Kernels: "sdp" is
PyTorch SDPA as the WebUI's sdp option runs it on CUDA (flash: q, k, v, out and the
fp32 log-sum-exp kept), "doggettx" the WebUI's default without --xformers (full
softmax matrices kept for backward).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.official_structure import OfficialReferenceBlocks  # noqa: E402
from easydrag_ext import DragParams  # noqa: E402
from easydrag_ext.engine.losses import UpsampledCosine, similarity_loss  # noqa: E402
from easydrag_ext.engine.reference import ReferenceAttention  # noqa: E402
from easydrag_ext.engine.unet_forward import concat_features, unet_forward  # noqa: E402
from easydrag_ext.testing.ldm_configs import SD15_UNET, SD15_VAE  # noqa: E402

GB = 1e9
SIZES = ("512x512", "512x768", "768x768")
KERNELS = ("sdp", "doggettx")
MODES = ("ours", "ours low-VRAM", "official")
CLIP_TEXT_PARAMS = 123_060_480        # CLIP ViT-L/14 text encoder of SD-1.x (not built here)
FP16 = torch.float16


# ---- attention kernels, written for counting --------------------------------------------
class _FlashAttention(torch.autograd.Function):
    """SDPA's flash kernel as autograd sees it: keeps q, k, v, out and an fp32 logsumexp."""

    @staticmethod
    def forward(ctx, q, k, v):
        out = torch.empty_like(q)
        lse = torch.empty(q.shape[:-1], dtype=torch.float32, device=q.device)
        ctx.save_for_backward(q, k, v, out, lse)
        return out

    @staticmethod
    def backward(ctx, grad):
        q, k, v, _, _ = ctx.saved_tensors
        return torch.empty_like(q), torch.empty_like(k), torch.empty_like(v)


def _heads(x, h):
    b, n, d = x.shape
    return x.reshape(b, n, h, d // h).transpose(1, 2)


def sdp_forward(self, x, context=None, mask=None):
    ctx = x if context is None else context
    q, k, v = (_heads(t, self.heads) for t in (self.to_q(x), self.to_k(ctx), self.to_v(ctx)))
    out = _FlashAttention.apply(q, k, v)
    b, _, n, _ = out.shape
    return self.to_out(out.transpose(1, 2).reshape(b, n, -1))


def doggettx_forward(self, x, context=None, mask=None):
    """Full attention: softmax(q k^T * scale) v; the (heads, N, M) probabilities are kept."""
    ctx = x if context is None else context
    q, k, v = (_heads(t, self.heads) for t in (self.to_q(x), self.to_k(ctx), self.to_v(ctx)))
    scale = q.shape[-1] ** -0.5
    probs = (torch.matmul(q, k.transpose(-1, -2)) * scale).softmax(dim=-1, dtype=q.dtype)
    out = torch.matmul(probs, v)
    b, _, n, _ = out.shape
    return self.to_out(out.transpose(1, 2).reshape(b, n, -1))


@contextlib.contextmanager
def attention(kind):
    from ldm.modules.attention import CrossAttention

    original = CrossAttention.forward
    CrossAttention.forward = {"sdp": sdp_forward, "doggettx": doggettx_forward}[kind]
    try:
        yield
    finally:
        CrossAttention.forward = original


class Fp16Autocast(TorchFunctionMode):
    """torch.autocast('cuda', fp16)'s casting rules for the ops the UNet uses (autocast itself
    acts only on CUDA tensors): matmuls and convolutions in fp16, norms and softmax in fp32."""

    HALF = {F.linear, F.conv2d, torch.conv2d, torch.matmul, torch.bmm, torch.baddbmm, torch.einsum}
    FLOAT = {F.layer_norm, F.group_norm}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in self.HALF:
            args = _cast(args, FP16)
        elif func in self.FLOAT:
            args = _cast(args, torch.float32)
            kwargs = _cast(kwargs, torch.float32)
        return func(*args, **kwargs)


def _cast(obj, dtype):
    if isinstance(obj, torch.Tensor):
        return obj.to(dtype) if obj.is_floating_point() and obj.dtype != dtype else obj
    if isinstance(obj, (list, tuple)):
        return type(obj)(_cast(o, dtype) for o in obj)
    if isinstance(obj, dict):
        return {k: _cast(v, dtype) for k, v in obj.items()}
    return obj


# ---- counting --------------------------------------------------------------------------
def _key(t):
    return t.untyped_storage()._cdata


def _nbytes(t):
    return t.untyped_storage().nbytes()


class SavedCounter:
    """Storages autograd keeps, attributed to the top-level UNet block running when saved."""

    def __init__(self, unet, resident):
        self.skip = {_key(p) for p in unet.parameters()} | {_key(t) for t in resident}
        self.saved = {}            # storage key -> (block label, bytes)
        self.inputs = {}           # storage key -> bytes of each block's inputs (kept by checkpoint)
        self.label = "outside"
        self.handles = []
        blocks = [(f"in{i}", b) for i, b in enumerate(unet.input_blocks)] + [("mid", unet.middle_block)]
        blocks += [(f"out{i}", b) for i, b in enumerate(unet.output_blocks)]
        for name, block in blocks:
            self.handles.append(block.register_forward_pre_hook(self._enter(name)))
            self.handles.append(block.register_forward_hook(self._leave))

    def _enter(self, name):
        def hook(_module, args):
            self.label = name
            for a in args:
                if isinstance(a, torch.Tensor) and _key(a) not in self.skip:
                    self.inputs[_key(a)] = _nbytes(a)
        return hook

    def _leave(self, *_):
        self.label = "outside"

    def pack(self, t):
        k = _key(t)
        if k not in self.skip and k not in self.saved:
            self.saved[k] = (self.label, _nbytes(t))
        return t

    def close(self):
        for h in self.handles:
            h.remove()

    # totals
    def total(self):
        return sum(b for _, b in self.saved.values())

    def recomputed(self):
        """Kept by the low-VRAM graph: block inputs, the graph outside blocks, one block's inside."""
        per_block = {}
        for k, (label, b) in self.saved.items():
            if label != "outside" and k not in self.inputs:
                per_block[label] = per_block.get(label, 0) + b
        outside = sum(b for k, (label, b) in self.saved.items() if label == "outside" and k not in self.inputs)
        return sum(self.inputs.values()) + outside + max(per_block.values(), default=0)

    def largest(self):
        return max((b for _, b in self.saved.values()), default=0)


def build_unet():
    from ldm.modules.diffusionmodules.openaimodel import UNetModel

    with torch.device("meta"):
        unet = UNetModel(**SD15_UNET)
    return unet.half().eval().requires_grad_(False)


def weight_bytes(unet) -> int:
    from ldm.modules.diffusionmodules.model import Decoder, Encoder

    with torch.device("meta"):
        vae = sum(p.numel() for m in (Encoder(**SD15_VAE), Decoder(**SD15_VAE)) for p in m.parameters())
    unet_n = sum(p.numel() for p in unet.parameters())
    return 2 * (unet_n + vae + CLIP_TEXT_PARAMS + 2 * 4 * 4 + 4 * 4 * 2)   # + quant convs (tiny)


def _bank_bytes(bank):
    return sum(t.untyped_storage().nbytes() for t in bank.values())


def _inputs(latent_hw, batch=1):
    h, w = latent_hw
    z = torch.empty(batch, 4, h, w, device="meta")
    t = torch.full((batch,), 681, device="meta", dtype=torch.long)
    ctx = torch.empty(batch, 77, 768, device="meta", dtype=FP16)
    return z, t, ctx


def ours_case(unet, params, latent_hw, out_hw):
    """(counter, cache bytes) for one engine drag iteration (point loss + keep term, auto mask)."""
    blocks, stop = params.feature_blocks, max(params.feature_blocks)
    z, t, ctx = _inputs(latent_hw)
    with torch.no_grad(), ReferenceAttention(unet, FP16) as ref:
        full = ref.record()
        unet_forward(unet, z, t, ctx)                       # one denoising reference bank
        drag_bank = ref.record()
        _, f = unet_forward(unet, z, t, ctx, feature_blocks=blocks, stop_after=stop)
        f0 = concat_features(f).float()
        ref_steps = params.reference_steps if params.reference_scale else 0
        caches = (_bank_bytes(full) * ref_steps + _bank_bytes(drag_bank) + _nbytes(f0) + _nbytes(z))
        ref.inject(drag_bank)
        resident = [z, ctx, f0, *drag_bank.values()]
        counter = SavedCounter(unet, resident)
        zz = z.clone().requires_grad_(True)
        counter.skip.add(_key(zz))
        cosine = UpsampledCosine(f0, out_hw)
        counter.skip |= {_key(x) for x in (cosine.f0, cosine.n0)} | {_key(a) for tap in cosine.taps for a in tap}
        with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(counter.pack, lambda x: x):
            _, fs = unet_forward(unet, zz, t, ctx, feature_blocks=blocks, stop_after=stop)
            feat = concat_features(fs).float()
            loss = _ours_point_loss(feat, f0, out_hw)
            keep = torch.ones(out_hw, device="meta", dtype=torch.bool)
            cos = cosine(feat)
            loss = loss + params.mask_weight / (1.0 + ((cos * keep).sum() / keep.sum() + 1.0) / 2.0)
        counter.close()
    return counter, caches


def _ours_point_loss(feat, f0, out_hw):
    """losses.sample_points' four bilinear taps at two handles (index tensors built on the CPU)."""
    H, W = out_hw
    _, _, h, w = feat.shape
    pts = [(W // 4, H // 3), (3 * W // 4, 2 * H // 3)]
    ys = [min(h - 1, int(y * h / H)) for _, y in pts]
    xs = [min(w - 1, int(x * w / W)) for x, _ in pts]
    iy, ix = torch.tensor(ys, device="meta"), torch.tensor(xs, device="meta")
    taps = [feat[0][:, iy, ix] for _ in range(4)]
    sampled = sum(taps).t()
    ref = f0[0][:, iy, ix].t()
    return similarity_loss(sampled, ref).sum()


def official_case(unet, params, latent_hw, out_hw):
    """(counter, cache bytes, weight-gradient bytes): batch-2 full UNet, full-resolution losses."""
    blocks = params.feature_blocks
    H, W = out_hw
    z, t, ctx = _inputs(latent_hw)
    with torch.no_grad():
        _, f = unet_forward(unet, z, t, ctx, feature_blocks=blocks)
        F0 = F.interpolate(concat_features(f).float(), (H, W), mode="bilinear")
    caches = _nbytes(F0) + (params.inversion_steps + 1) * _nbytes(z)
    z2, t2, ctx2 = _inputs(latent_hw, batch=2)
    for p in unet.parameters():
        p.requires_grad_(True)                       # official: loss.backward() on the whole UNet
    counter = SavedCounter(unet, [z, F0, ctx2])
    zz = z.clone().requires_grad_(True)
    counter.skip.add(_key(zz))
    cos = torch.nn.CosineSimilarity(dim=1)
    try:
        with torch.enable_grad(), OfficialReferenceBlocks(unet), \
                torch.autograd.graph.saved_tensors_hooks(counter.pack, lambda x: x):
            _, feats = unet_forward(unet, torch.cat([zz, z]), t2, ctx2, feature_blocks=blocks)
            F1 = F.interpolate(concat_features(feats).float(), (H, W), mode="bilinear")[:1]
            loss = 0.0
            for (y, x), (ny, nx) in (((H // 3, W // 4), (H // 3, W // 4 + 12)),
                                     ((2 * H // 3, 3 * W // 4), (2 * H // 3, 3 * W // 4 - 12))):
                s = (cos(F1[:, :, ny, nx], F0[:, :, y, x]).mean() + 1) / 2
                loss = loss + 1.0 / (1 + s)
            keep = torch.ones(1, 1, H, W, device="meta")
            s = (cos(F0 * keep, F1 * keep).sum() / keep.sum() + 1) / 2
            loss = loss + params.mask_weight / (1 + s)
    finally:
        grads = sum(2 * p.numel() for p in unet.parameters())
        unet.requires_grad_(False)
        counter.close()
    return counter, caches, grads


def count_case(unet, mode, kernel, size, params, weights):
    W, H = (int(v) for v in size.lower().split("x"))
    latent = (H // 8, W // 8)
    adam = 2 * 4 * latent[0] * latent[1] * 4
    with attention(kernel), Fp16Autocast():
        if mode == "official":
            counter, caches, grads = official_case(unet, params, latent, (H, W))
        else:
            counter, caches = ours_case(unet, params, latent, (H, W))
            grads = 0
    saved = counter.recomputed() if mode == "ours low-VRAM" else counter.total()
    workspace = 2 * counter.largest()
    peak = weights + grads + caches + adam + saved + workspace
    return {"pipeline": mode, "attention": kernel, "size": f"{W}x{H}", "saved_gb": saved / GB,
            "caches_gb": caches / GB, "weights_gb": (weights + grads) / GB, "adam_gb": adam / GB,
            "workspace_gb": workspace / GB, "peak_gb": peak / GB,
            "drag_gb": (caches + adam + saved + workspace) / GB}


def drag_bytes(sizes=SIZES, kernel="sdp", mode="ours", params=None):
    """{size: bytes one drag holds on top of the loaded weights} (the guard's quantity)."""
    params = params or DragParams()
    unet = build_unet()
    weights = weight_bytes(unet)
    return {size: count_case(unet, mode, kernel, size, params, weights)["drag_gb"] * GB for size in sizes}


def table(sizes=SIZES, kernels=KERNELS, params=None):
    params = params or DragParams()
    unet = build_unet()
    weights = weight_bytes(unet)
    return [count_case(unet, mode, kernel, size, params, weights)
            for size in sizes for kernel in kernels for mode in MODES]


def ratio(rows):
    """ours / official estimated peak, the worst over the cases (same size and kernel)."""
    best = {}
    for r in rows:
        best.setdefault((r["size"], r["attention"]), {})[r["pipeline"]] = r["peak_gb"]
    return max(c["ours"] / c["official"] for c in best.values() if "ours" in c and "official" in c)


def format_row(r):
    return (f"{r['pipeline']:<14} {r['attention']:<9} {r['size']:>8}  peak {r['peak_gb']:6.2f} GB  "
            f"(saved {r['saved_gb']:.2f}, caches {r['caches_gb']:.2f}, weights {r['weights_gb']:.2f}, "
            f"adam {r['adam_gb']:.4f}, workspace {r['workspace_gb']:.2f})")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(SIZES), help="WxH list (multiples of 64)")
    ap.add_argument("--kernels", default=",".join(KERNELS), help="sdp, doggettx")
    ap.add_argument("--json", action="store_true", help="one JSON line per case, then the ratio")
    args = ap.parse_args(argv)
    rows = table(args.sizes.split(","), args.kernels.split(","))
    for r in rows:
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()})
              if args.json else format_row(r))
    x = ratio(rows)
    print(json.dumps({"ratio": round(x, 4)}) if args.json else f"ratio ours/official = {x:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
