"""The unshipped layouts of the training runs: each builds as itself and loads back as itself."""
import pytest
import torch

from easydrag_ext.bundled import model as bundled
from research.shapes import layouts


@pytest.mark.parametrize("layout, width, groups", [("narrow", 32, 32), ("narrow-paired-out", 32, 16),
                                                   ("wide-top", 64, 32)])
def test_each_layout_has_its_width_and_output_norm_groups(layout, width, groups):
    # paired-out: the same ldm GroupNorm32 class with two channels per group before the output conv,
    # so the UNet can predict the latent's channel means (research/NOTES.md, "where the grain comes from")
    from ldm.modules.diffusionmodules.util import GroupNorm32

    unet = layouts.build(layout=layout).model.diffusion_model
    norm = unet.out[0]
    assert type(norm) is GroupNorm32
    assert (unet.model_channels, norm.num_channels, norm.num_groups) == (width, width, groups)


def test_the_shipped_layout_here_is_the_products_bit_for_bit():
    ours, product = layouts.build(seed=3, layout=bundled.SHIPPED_LAYOUT), bundled.build(seed=3)
    a, b = ours.state_dict(), product.state_dict()
    assert list(a) == list(b) and all(torch.equal(a[k], b[k]) for k in a)


def test_unknown_layouts_are_refused():
    with pytest.raises(ValueError, match="unknown layout"):
        layouts.build(layout="huge")
    with pytest.raises(ValueError, match="48 top-level channels"):
        layouts.layout_of({"model.diffusion_model.input_blocks.0.0.weight": torch.zeros(48, 12, 3, 3)})


def test_files_without_a_recorded_layout_load_by_width(tmp_path):
    # weights saved before layouts were recorded: 32 channels were always ldm's 32-group norm
    from safetensors.torch import save_file

    for layout in ("narrow", "wide-top"):
        state = {k: v.contiguous() for k, v in layouts.build(layout=layout).state_dict().items()}
        save_file(state, str(tmp_path / f"{layout}.safetensors"))
        assert layouts.load(tmp_path / f"{layout}.safetensors").layout == layout


def test_save_records_the_layout_and_the_shipped_file_loads_here_too(tmp_path):
    path = tmp_path / "run" / "wide.safetensors"
    layouts.save(layouts.build(layout="wide-top"), path)
    assert layouts.load(path).layout == "wide-top"
    assert layouts.load(bundled.WEIGHTS).layout == bundled.SHIPPED_LAYOUT
