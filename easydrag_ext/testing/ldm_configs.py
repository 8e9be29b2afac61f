"""ldm constructor arguments: the SD-1.5 layout (v1-inference.yaml) and tiny versions of it.

Tiny models keep the real block layout (12 input and 12 output blocks, spatial
transformers in output blocks 3-11, 16 BasicTransformerBlocks) at small widths, so
every code path the WebUI's SD-1.5 model takes is exercised in seconds on a CPU.
"""
from __future__ import annotations

SD15_UNET = dict(
    image_size=32, in_channels=4, out_channels=4, model_channels=320,
    attention_resolutions=[4, 2, 1], num_res_blocks=2, channel_mult=[1, 2, 4, 4],
    num_heads=8, use_spatial_transformer=True, transformer_depth=1, context_dim=768,
    use_checkpoint=False, legacy=False,
)

SD15_VAE = dict(
    double_z=True, z_channels=4, resolution=256, in_channels=3, out_ch=3, ch=128,
    ch_mult=[1, 2, 4, 4], num_res_blocks=2, attn_resolutions=[], dropout=0.0,
)


def tiny_unet(model_channels: int = 32, context_dim: int = 32, num_heads: int = 2,
              use_checkpoint: bool = False) -> dict:
    cfg = dict(SD15_UNET)
    cfg.update(model_channels=model_channels, context_dim=context_dim, num_heads=num_heads,
               use_checkpoint=use_checkpoint)
    return cfg


def tiny_vae(ch: int = 32) -> dict:
    cfg = dict(SD15_VAE)
    cfg.update(ch=ch, ch_mult=[1, 1, 2, 2], num_res_blocks=1, resolution=64)
    return cfg
