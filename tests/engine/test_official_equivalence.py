"""The engine's savings change nothing: it matches the official structure end to end."""
import numpy as np
import torch

from bench.official_structure import official_drag
from easydrag_ext import drag
from easydrag_ext.engine.inputs import image_to_tensor

from .helpers import disc_image
from .test_drag import FAST


def test_engine_matches_the_official_structure(adapter):
    params = FAST.replace(max_iterations=6, lr=0.05)
    img = disc_image()
    handles, targets = [(20, 20), (44, 44)], [(40, 30), (30, 50)]
    ours = drag(adapter, img, "a red disc", handles, targets, params=params)
    _, tracked, official_image = official_drag(adapter, img, "a red disc", handles, targets, params,
                                               full_inversion=False)
    assert [tuple(map(int, p)) for p in ours.final_handles] == tracked
    ours_t = image_to_tensor(ours.image)
    official_q = ((official_image + 1) * 127.5).round() / 127.5 - 1
    assert (ours_t - official_q).abs().mean().item() < 0.5 / 255
    assert (ours_t - official_q).abs().max().item() < 4 / 255
