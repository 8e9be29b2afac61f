"""Every UNet layout the ShapesDrag runs tried, and how to build, save and load each.

The product knows only the shipped layout (easydrag_ext/bundled/model.py); training runs,
sample grids and `python -m bench.shapes --weights` read the others through this module.
Layouts: ldm UNetModel arguments plus `out_norm_groups` (see the bundled model's SHIPPED_UNET).
- "narrow": the first training stage (run 2), ldm's own 32-group output norm;
- "narrow-paired-out": shipped, run 2 with only the head after output block 8 fine-tuned for
  10 minutes into a 16-group output norm (train --head-only), so the features the drag reads
  are run 2's;
- "wide-top": 64 channels everywhere (runs 5-8): two channels per group at ldm's 32 groups,
  but it drags worse (research/NOTES.md).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import torch

from easydrag_ext.bundled import model as bundled

LAYOUTS = {
    "narrow": bundled.UNET,
    bundled.SHIPPED_LAYOUT: bundled.SHIPPED_UNET,
    "wide-top": dict(bundled.UNET, model_channels=64, channel_mult=[1, 1, 1, 1]),
}


def build(seed: int = 0, layout: str = bundled.SHIPPED_LAYOUT) -> bundled.ShapesDiffusion:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; one of {sorted(LAYOUTS)}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return bundled.ShapesDiffusion(LAYOUTS[layout], layout)


def layout_of(state) -> str:
    """The layout of a weights file saved without one (before layouts were recorded), from its
    first convolution's width.  Those files all have ldm's own 32-group output norm."""
    width = state["model.diffusion_model.input_blocks.0.0.weight"].shape[0]
    for name, config in LAYOUTS.items():
        if config["model_channels"] == width and "out_norm_groups" not in config:
            return name
    raise ValueError(f"weights with {width} top-level channels match no layout in {sorted(LAYOUTS)}")


def save(model: bundled.ShapesDiffusion, path: Path) -> None:
    """Weights plus their layout in the file's metadata (two layouts have the same tensor shapes)."""
    from safetensors.torch import save_file

    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path), metadata={"layout": model.layout})


def load(path: Path, layout: Optional[str] = None) -> bundled.ShapesDiffusion:
    """`layout`: build that layout and load the file's tensors into it (e.g. to fine-tune a file
    into a layout of the same shapes); by default the layout the file records."""
    state, recorded = bundled.read_weights(path)
    model = build(layout=layout or recorded or layout_of(state))
    model.load_state_dict(state)
    return model.eval()
