"""bench/flops.py prices bench/plans.py; this keeps the engine's plan equal to what drag() really calls."""
import pytest

import easydrag_ext.engine.pipeline as pipeline
from bench.plans import engine_plan
from easydrag_ext import drag
from easydrag_ext.engine.reference import ReferenceAttention

from .helpers import disc_image
from .test_drag import FAST


@pytest.mark.parametrize("changes,negative", [
    ({}, None), ({"reference_scale": 1.0}, None), ({"reference_scale": 0.0}, None),
    ({"reference_during_drag": False}, None), ({"low_vram": True}, None),
    ({"guidance_mode": "prompt_cfg"}, "blurry"), ({"guidance_mode": "auto"}, "blurry"),
    ({"guidance_mode": "prompt_cfg", "cfg_scale": 1.0}, "blurry"),
    ({"guidance_mode": "prompt_cfg", "reference_scale": 0.0, "reference_steps": 0}, "blurry")])
def test_engine_plan_matches_the_calls_a_drag_makes(adapter, monkeypatch, changes, negative):
    params = FAST.replace(max_iterations=4, **changes)
    seen = []
    real_forward = pipeline.unet_forward
    registries = []
    real_init = ReferenceAttention.__init__

    def spy_init(self, *a, **k):
        real_init(self, *a, **k)
        registries.append(self)

    def spy(unet, z, t, context, feature_blocks=(), stop_after=None, decoder_copies=1, recompute=False):
        ref = registries[-1]
        state = "inject" if ref.bank is not None else "none"
        seen.append((z.shape[0], stop_after, state, ref.inject_from if state == "inject" else 0, decoder_copies))
        return real_forward(unet, z, t, context, feature_blocks=feature_blocks, stop_after=stop_after,
                            decoder_copies=decoder_copies, recompute=recompute)

    monkeypatch.setattr(pipeline, "unet_forward", spy)
    monkeypatch.setattr(ReferenceAttention, "__init__", spy_init)
    r = drag(adapter, disc_image(), "x", [(10, 10)], [(60, 60)], params=params, negative_prompt=negative)
    assert r.iterations == 4
    expected = []
    for call in engine_plan(params, r.iterations, has_negative=negative is not None):
        if call.backward and call.backward.endswith("-extra"):
            continue                                   # a second backward, not another forward
        if call.phase.endswith("(low-VRAM recompute)"):
            assert params.low_vram
            continue                                   # blocks rerun inside backward, not unet_forward calls
        expected += [(call.batch, call.stop_after, call.reference, call.inject_from,
                      call.decoder_copies)] * call.count
    assert seen == expected
