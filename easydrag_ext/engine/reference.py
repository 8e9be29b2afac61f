"""Reference self-attention: decoder blocks read K/V from the original latent's hidden states.

Installed per drag as one named registry on the decoder's BasicTransformerBlocks and
removed as a unit.  Like ControlNet's reference-only, it swaps the block's instance
`_forward` and passes the reference states as `attn1`'s `context`, so whichever
`CrossAttention.forward` the host installed (sdp, xformers, sub-quadratic, ...) runs.
"""
from __future__ import annotations

import types
from typing import Dict, List, Optional

import torch

_ATTR = "_easydrag_original_forward"


_BLOCK_PARTS = ("attn1", "attn2", "norm1", "norm2", "norm3", "ff")


def is_transformer_block(m: torch.nn.Module) -> bool:
    """An ldm BasicTransformerBlock by what it has, not by its class name: token merging (tomesd)
    swaps the class for a subclass named `ToMeBlock`, and other extensions do likewise."""
    return all(hasattr(m, part) for part in _BLOCK_PARTS) and callable(getattr(type(m), "_forward", None))


def decoder_transformer_blocks(unet) -> List[torch.nn.Module]:
    """BasicTransformerBlocks of the decoder, in execution order (matched by capability, not import)."""
    return [m for block in unet.output_blocks for m in block.modules() if is_transformer_block(m)]


class ReferenceAttention:
    """Hook registry with three states per call:

    - idle: blocks run their class `_forward` untouched;
    - record: every block stores norm1(x) (the input of its self-attention) in `recorded`;
    - inject: batch rows from `inject_from` on take attn1 K/V from `bank` instead of themselves.
    """

    def __init__(self, unet, store_dtype: Optional[torch.dtype] = None):
        self.blocks = decoder_transformer_blocks(unet)
        self.index = {id(b): i for i, b in enumerate(self.blocks)}
        self.store_dtype = store_dtype
        self.recorded: Optional[Dict[int, torch.Tensor]] = None
        self.bank: Optional[Dict[int, torch.Tensor]] = None
        self.inject_from = 0
        self.installed = False

    # -- install / remove as one unit ----------------------------------------------------
    def install(self) -> "ReferenceAttention":
        for block in self.blocks:
            if _ATTR in block.__dict__:
                raise RuntimeError("EasyDrag reference hooks are already installed on this model")
        for block in self.blocks:
            block.__dict__[_ATTR] = block.__dict__.get("_forward")  # None: class method in use
            block._forward = types.MethodType(_make_forward(self), block)
        self.installed = True
        return self

    def remove(self) -> None:
        for block in self.blocks:
            if _ATTR not in block.__dict__:
                continue
            original = block.__dict__.pop(_ATTR)
            if original is None:
                block.__dict__.pop("_forward", None)
            else:
                block._forward = original
        self.installed = False
        self.recorded = self.bank = None

    def __enter__(self):
        return self.install()

    def __exit__(self, *exc):
        self.remove()
        return False

    # -- per-call state --------------------------------------------------------------------
    def record(self) -> Dict[int, torch.Tensor]:
        self.bank, self.recorded = None, {}
        return self.recorded

    def inject(self, bank: Dict[int, torch.Tensor], from_row: int = 0) -> None:
        self.recorded, self.bank, self.inject_from = None, bank, from_row

    def idle(self) -> None:
        self.recorded = self.bank = None


def _make_forward(reg: ReferenceAttention):
    def _forward(block, x, context=None):
        if reg.recorded is None and reg.bank is None:
            return type(block)._forward(block, x, context)
        idx = reg.index[id(block)]
        xn = block.norm1(x)
        if reg.recorded is not None:
            reg.recorded[idx] = xn.detach().to(reg.store_dtype or xn.dtype)
            attn_ctx = context if block.disable_self_attn else None
        else:
            ref = reg.bank[idx].to(xn.dtype)
            k = reg.inject_from
            ref = ref.expand(x.shape[0] - k, -1, -1)
            attn_ctx = ref if k == 0 else torch.cat([xn[:k], ref], dim=0)
        x = block.attn1(xn, context=attn_ctx) + x
        x = block.attn2(block.norm2(x), context=context) + x
        x = block.ff(block.norm3(x)) + x
        return x

    return _forward
