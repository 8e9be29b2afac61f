"""The reduced ShapesDrag run (CI): a working drag passes the thresholds, broken ones do not.

Runs EasyDrag on the bundled model over the first few held-out tasks with the bundle's
parameters (the ones `python -m bench.shapes` uses).
"""
import pytest

from bench.shapes import run as bench


@pytest.fixture(scope="module")
def bundle():
    from easydrag_ext.bundled import load_default_model

    return load_default_model()


def _rows(bundle, methods, **changes):
    from easydrag_ext.engine.sdp import sdp_attention

    with sdp_attention():      # as `python -m bench.shapes` runs it; ldm's einsum attention is far slower on a CPU
        return bench.run(bundle.adapter, bundle.params.replace(**changes), bench.REDUCED_TASKS, methods)


def test_the_no_op_baseline_fails_the_thresholds(bundle):
    (row,) = _rows(bundle, ["no-op"])
    assert row.closed == pytest.approx(0.0) and row.bg_psnr == 100.0
    assert bench.failures(row) == [f"distance closed 0.00 < {bench.THRESHOLDS['closed_min']}"]


def test_a_drag_without_iterations_fails_the_thresholds(bundle):
    # inversion + denoising only: the object stays where it was
    (row,) = _rows(bundle, ["EasyDrag"], max_iterations=0)
    assert any(f.startswith("distance closed") for f in bench.failures(row))


def test_easydrag_passes_the_thresholds(bundle):
    (row,) = _rows(bundle, ["EasyDrag"])
    assert bench.failures(row) == [], bench.table([row])
    no_op_md = sum(t.distance for t in bench.tasks(bench.REDUCED_TASKS)) / bench.REDUCED_TASKS
    assert row.md_gt < (1 - bench.THRESHOLDS["closed_min"]) * no_op_md     # nearer the targets than the no-op


def test_unknown_method_is_a_clear_error(bundle):
    with pytest.raises(ValueError, match="unknown method"):
        _rows(bundle, ["teleport"])
