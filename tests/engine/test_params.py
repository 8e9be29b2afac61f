import math

import pytest

from easydrag_ext import DragParams
from easydrag_ext.params import FIELDS, field_info

ISSUE_DEFAULTS = dict(
    inversion_steps=50, drag_step_index=35, max_iterations=50, lr=0.01, motion_step=12, snap_radius=18,
    mask_threshold=0.4, mask_mode="auto", mask_weight=0.1, arrived_weight=0.1,
    confine_to_mask=False, confine_margin=24,   # ours, off: the paper lets every latent cell change
    reference_scale=4.0,
    guidance_mode="auto",   # ours: prompt_cfg (the official generated-image mode) for images with infotext
    cfg_scale=7.5,          # the official code's and the paper's generated-image scale
    reference_steps=20, reference_during_drag=True, feature_blocks=(5, 8), resize_long_side=512,
    low_vram=False,    # ours: the glue turns it on under --medvram/--lowvram
    seed=0)


def test_defaults_are_the_papers():
    assert DragParams().to_dict() == {**ISSUE_DEFAULTS, "feature_blocks": [5, 8]}
    assert [f.name for f in FIELDS] == list(ISSUE_DEFAULTS)


@pytest.mark.parametrize("field,value", [
    ("lr", float("nan")), ("lr", 0), ("lr", -1), ("inversion_steps", 1), ("max_iterations", -1),
    ("max_iterations", 2.5), ("mask_threshold", 1.0), ("mask_mode", "magic"), ("feature_blocks", [12]),
    ("feature_blocks", []), ("reference_scale", math.inf), ("resize_long_side", 8), ("seed", -5),
    ("reference_during_drag", "maybe"), ("motion_step", "twelve"), ("snap_radius", None),
])
def test_out_of_range_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        DragParams(**{field: value})


def test_cross_field_rules():
    with pytest.raises(ValueError, match="drag_step_index"):
        DragParams(inversion_steps=20, drag_step_index=35)
    with pytest.raises(ValueError, match="reference_steps"):
        DragParams(drag_step_index=10, reference_steps=11)


def test_from_dict_coerces_and_rejects_unknown():
    p = DragParams.from_dict({"lr": "0.02", "feature_blocks": "8, 5", "reference_during_drag": "false",
                              "max_iterations": 10.0})
    assert p.lr == 0.02 and p.feature_blocks == (5, 8) and p.reference_during_drag is False
    assert p.max_iterations == 10 and isinstance(p.max_iterations, int)
    assert p.non_defaults() == {"lr": 0.02, "reference_during_drag": False, "max_iterations": 10}
    with pytest.raises(ValueError, match="unknown parameter"):
        DragParams.from_dict({"lr": 0.01, "learning_rate": 0.1})
    with pytest.raises(ValueError, match="must be an object"):
        DragParams.from_dict([1, 2])


def test_every_field_has_a_unique_label_and_help():
    labels = [field_info(f.name).label for f in FIELDS]
    assert len(set(labels)) == len(labels)
    assert all(field_info(f.name).help for f in FIELDS)
