"""Helpers to find components and handlers in built gradio Blocks (gradio 3.41)."""
import base64
import io
import json

from easydrag_ext.params import FIELDS, DragParams
from tests.engine.helpers import disc_image  # noqa: F401  (one test image for every suite)

# small enough for seconds per drag on a shared 2-core CPU, still every phase and reference guidance
FAST = DragParams(resize_long_side=64, inversion_steps=4, drag_step_index=3, reference_steps=2,
                  max_iterations=2)


def walk(block):
    yield block
    for child in getattr(block, "children", []) or []:
        yield from walk(child)


def by_id(root, elem_id):
    found = [b for b in walk(root) if getattr(b, "elem_id", None) == elem_id]
    assert len(found) == 1, f"{elem_id}: {len(found)} found"
    return found[0]


def handler_for(blocks, trigger, event="click"):
    """The Python function gradio runs when `trigger` fires `event` (first with a fn)."""
    for dep, fn in zip(blocks.dependencies, blocks.fns):
        if trigger._id in dep["targets"] and fn.fn is not None and dep.get("trigger", event) == event:
            return fn.fn, dep
    raise AssertionError(f"no {event} handler on {trigger.elem_id}")


def param_values(params: DragParams = FAST):
    d = params.to_dict()
    return [[str(v) for v in d[f.name]] if f.name == "feature_blocks" else d[f.name] for f in FIELDS]


def points_json(points, size=(64, 64), mask=None):
    return json.dumps({"points": points, "mask": mask, "size": list(size)})


def b64(img, fmt="PNG"):
    """An image as the API takes it: base64 of its encoded bytes."""
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return base64.b64encode(buf.getvalue()).decode()
