"""One forward of an ldm openaimodel UNet that can stop early and hand back decoder features.

It runs the UNet's own blocks in the order `UNetModel.forward` does, so a full pass
gives the same output as calling the model; the drag passes stop after the deepest
feature block (output_blocks[8] by default) and skip the rest of the decoder.
"""
from __future__ import annotations

import functools
import math
from typing import Dict, Iterable, Optional, Tuple

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint


@functools.lru_cache(maxsize=8)
def _frequencies(dim: int, max_period: int, device: torch.device) -> torch.Tensor:
    """Computed on the CPU as ldm does, copied to the device once (not once per UNet call)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32) / half)
    return freqs[None].to(device)


def timestep_embedding(timesteps: torch.Tensor, dim: int, max_period: int = 10000) -> torch.Tensor:
    """Sinusoidal embedding, the same arithmetic as ldm's `timestep_embedding`."""
    args = timesteps[:, None].float() * _frequencies(dim, max_period, timesteps.device)
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
    return emb


def unet_forward(unet, x: torch.Tensor, t: torch.Tensor, context: torch.Tensor,
                 feature_blocks: Iterable[int] = (), stop_after: Optional[int] = None,
                 decoder_copies: int = 1, recompute: bool = False
                 ) -> Tuple[Optional[torch.Tensor], Dict[int, torch.Tensor]]:
    """Returns (eps or None when stopped early, {output block index: its output}).

    `recompute=True` (the low-VRAM drag) keeps only each UNet block's inputs for backward
    and recomputes the block's inside during backward: same values, far less memory.

    `decoder_copies=n` runs the encoder and middle block once and the decoder on n
    copies: reference attention acts only on decoder self-attention, so a plain row
    and a reference row of the same latent share everything before the decoder.
    """
    if getattr(unet, "num_classes", None) is not None:
        raise ValueError("class-conditional UNets are not supported")
    wanted = set(feature_blocks)
    call = _recomputed if recompute and torch.is_grad_enabled() else _plain
    emb = unet.time_embed(timestep_embedding(t, unet.model_channels))
    h = x.type(unet.dtype)
    skips = []
    for block in unet.input_blocks:
        h = call(block, h, emb, context)
        skips.append(h)
    h = call(unet.middle_block, h, emb, context)
    if decoder_copies > 1:
        n = decoder_copies
        h, emb, context = h.repeat(n, 1, 1, 1), emb.repeat(n, 1), context.repeat(n, 1, 1)
        skips = [s.repeat(n, 1, 1, 1) for s in skips]
        x = x.repeat(n, 1, 1, 1)
    feats: Dict[int, torch.Tensor] = {}
    for i, block in enumerate(unet.output_blocks):
        h = call(block, torch.cat([h, skips.pop()], dim=1), emb, context)
        if i in wanted:
            feats[i] = h
        if stop_after is not None and i >= stop_after:
            return None, feats
    return unet.out(h.type(x.dtype)), feats


def _plain(block, h, emb, context):
    return block(h, emb, context)


def _recomputed(block, h, emb, context):
    # Non-reentrant: works with autograd.grad on the latent, with retain_graph (the auto mask's
    # first backward), and replays the autocast state the forward ran under.
    return checkpoint(block, h, emb, context, use_reentrant=False)


def concat_features(feats: Dict[int, torch.Tensor]) -> torch.Tensor:
    """Concatenate feature blocks at the resolution of the largest (bilinear, align_corners=False)."""
    maps = [feats[i] for i in sorted(feats)]
    size = max((m.shape[-2:] for m in maps), key=lambda s: s[0] * s[1])
    return torch.cat([m if m.shape[-2:] == size else F.interpolate(m, size=tuple(size), mode="bilinear")
                      for m in maps], dim=1)
