"""The official EasyDrag code's computation structure, written plainly for comparison.

Same math as the engine, none of its savings: all inversion steps, F0 upsampled to
full resolution, a batch-2 full UNet forward + backward every drag iteration (edited
latent and reference latent together, official reference blocks), naive full-resolution
losses, and in denoising two plain calls per early step and a batch-2 + batch-1 call per
reference step.  Used by tests (equivalence) and bench/flops.py (the ratio).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from easydrag_ext.engine.geometry import next_point
from easydrag_ext.engine.inputs import image_to_tensor
from easydrag_ext.engine.pipeline import PhaseClock
from easydrag_ext.engine.reference import decoder_transformer_blocks
from easydrag_ext.engine.schedule import DDIMSchedule
from easydrag_ext.engine.unet_forward import concat_features, unet_forward


def _official_block_forward(block, x, context=None):
    xn = block.norm1(x)
    if x.shape[0] == 1:
        x = block.attn1(xn, context=xn) + x
    else:
        x_ori, x_ref = xn[:1], xn[1:]
        x = torch.cat([block.attn1(x_ori, context=x_ref), block.attn1(x_ref, context=x_ref)]) + x
    x = block.attn2(block.norm2(x), context=context) + x
    return block.ff(block.norm3(x)) + x


class OfficialReferenceBlocks:
    def __init__(self, unet):
        self.blocks = decoder_transformer_blocks(unet)

    def __enter__(self):
        import types
        for b in self.blocks:
            b._forward = types.MethodType(_official_block_forward, b)
        return self

    def __exit__(self, *exc):
        for b in self.blocks:
            del b._forward


def official_drag(adapter, work_image, prompt, handles, targets, params, full_inversion=True,
                  weight_grads=False, timings=None, negative_prompt=None, guidance_scale=None):
    """Returns (final latent, tracked handles (x, y), decoded image tensor).

    `weight_grads=True` backpropagates as the official code does (`loss.backward()` with the
    UNet's weights requiring grad, so weight gradients are computed too); `timings`, a dict,
    receives seconds per phase (CUDA-synchronised).  `negative_prompt` and `guidance_scale`
    give `gen()`'s unconditional conditioning and scale (the `neg_same_prompt=False` mode);
    without them the prompt is its own negative and w is `reference_scale`.
    """
    unet, device = adapter.unet, adapter.device
    clock = PhaseClock(device)
    sched = DDIMSchedule.make(adapter.alphas_cumprod, params.inversion_steps)
    k, R, w = params.drag_step_index, params.reference_steps, params.reference_scale
    if guidance_scale is not None:
        w = guidance_scale
    blocks = params.feature_blocks
    H, W = work_image.size[1], work_image.size[0]
    cond = adapter.text_context(prompt)
    uncond = cond if negative_prompt is None else adapter.text_context(negative_prompt)

    def call(z, i, context=None, **kw):
        t = torch.full((z.shape[0],), sched.timesteps[i], device=device, dtype=torch.long)
        context = cond if context is None else context
        with adapter.autocast():
            return unet_forward(unet, z, t, context.expand(z.shape[0], -1, -1), **kw)

    def full_res(feats):
        return F.interpolate(concat_features(feats).float(), (H, W), mode="bilinear")

    with torch.no_grad():
        z = adapter.encode(image_to_tensor(work_image))
        latents = [z]
        for i in range(params.inversion_steps if full_inversion else k):
            eps, _ = call(z, i)
            z = sched.invert_step(z, eps.float(), i)
            latents.append(z)
        clock.lap("inversion")
        z_t = latents[k]
        _, f0 = call(z_t, k - 1, feature_blocks=blocks)
        F0 = full_res(f0)
        clock.lap("features")

    orig = [(int(p[1]), int(p[0])) for p in handles]          # official keeps (y, x)
    cur = list(orig)
    tgt = [(int(q[1]), int(q[0])) for q in targets]
    z = z_t.clone().requires_grad_(True)
    opt = torch.optim.Adam([z], lr=params.lr)
    mask = None
    cos = torch.nn.CosineSimilarity(dim=1)

    def nxt(p, q):
        x, y = next_point((p[1], p[0]), (q[1], q[0]), params.motion_step, params.snap_radius)
        return (y, x)

    with torch.enable_grad(), OfficialReferenceBlocks(unet):
        for it in range(params.max_iterations):
            _, feats = call(torch.cat([z, z_t]) if params.reference_during_drag else z, k - 1,
                            feature_blocks=blocks)
            F1 = full_res(feats)[:1]
            moved = False
            with torch.no_grad():
                for i in range(len(cur)):
                    n = nxt(cur[i], tgt[i])
                    f0 = F0[:, :, orig[i][0], orig[i][1]]
                    if cos(f0, F1[:, :, n[0], n[1]]) > cos(f0, F1[:, :, cur[i][0], cur[i][1]]):
                        cur[i], moved = n, True
            if all(c == q for c, q in zip(cur, tgt)):
                break
            loss = 0.0
            for i in range(len(cur)):
                n = nxt(cur[i], tgt[i])
                s = (cos(F1[:, :, n[0], n[1]], F0[:, :, orig[i][0], orig[i][1]].detach()).mean() + 1) / 2
                loss = loss + (params.arrived_weight if cur[i] == tgt[i] else 1.0) / (1 + s)
            if params.mask_mode == "auto" and (it == 0 or moved):
                (g,) = torch.autograd.grad(loss, z, retain_graph=True)
                g = g[0].mean(0).abs()
                g = (g - g.min()) / (g.max() - g.min())
                mask = F.interpolate((g > params.mask_threshold).float()[None, None], (H, W), mode="nearest")
            if mask is not None and (1 - mask).sum() >= 1:
                keep = 1 - mask
                s = (cos(F0 * keep, F1 * keep).sum() / keep.sum() + 1) / 2
                loss = loss + params.mask_weight / (1 + s)
            if weight_grads:
                loss.backward()
            else:
                (g,) = torch.autograd.grad(loss, z)
                z.grad = g
            opt.step()
            opt.zero_grad()
    if weight_grads:
        for p in unet.parameters():
            p.grad = None
    clock.lap("drag")

    with torch.no_grad(), OfficialReferenceBlocks(unet):
        z = z.detach()
        for i in reversed(range(k)):
            if i < R:
                eps_ref, _ = call(torch.cat([z, latents[i]]), i)
                eps_plain, _ = call(z, i, context=uncond)     # gen(): batch 1 on the negative
                eps = eps_plain + w * (eps_ref[:1] - eps_plain)
            else:
                e1, _ = call(z, i)
                e2, _ = call(z, i, context=uncond)  # "unconditional" call (the prompt itself by default)
                eps = e2 + w * (e1 - e2)
            z = sched.denoise_step(z, eps.float(), i)
        clock.lap("denoise")
        image = adapter.decode(z)
        clock.lap("decode")
    if timings is not None:
        timings.update(clock.timings)
    return z, [(p[1], p[0]) for p in cur], image

