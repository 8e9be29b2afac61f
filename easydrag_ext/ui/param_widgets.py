"""One gradio component per DragParams field, built from `FIELDS` (labels, ranges, help).

Values go back through `DragParams.from_dict`, so the widgets never hold their own rules.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence

import gradio as gr

from ..params import FIELDS, NUM_OUTPUT_BLOCKS, DragParams

ELEM_PREFIX = "easydrag_param_"
ELEM_IDS = {f.name: ELEM_PREFIX + f.name for f in FIELDS}
ELEM_IDS["mask_mode"] = "easydrag_mask_mode"   # the canvas reads this one by id
MAX_SLIDER_STEPS = 1000


def component_value(name: str, value: Any) -> Any:
    """A DragParams value in the form its widget holds."""
    if name == "feature_blocks":
        return [str(int(v)) for v in value]
    return value


def build_component(f, value: Any = None):
    info = f.metadata["info"]
    value = component_value(f.name, f.default if value is None else value)
    common = dict(label=info.label, info=info.help, elem_id=ELEM_IDS[f.name])
    if f.name == "feature_blocks":
        return gr.CheckboxGroup(choices=[str(i) for i in range(NUM_OUTPUT_BLOCKS)], value=value, **common)
    if f.type in ("bool", bool):
        return gr.Checkbox(value=value, **common)
    if info.choices:
        return gr.Radio(choices=list(info.choices), value=value, **common)
    is_int = f.type in ("int", int)
    if (info.minimum is not None and info.maximum is not None and info.step
            and (info.maximum - info.minimum) / info.step <= MAX_SLIDER_STEPS):
        return gr.Slider(minimum=info.minimum, maximum=info.maximum, step=info.step, value=value, **common)
    return gr.Number(value=value, precision=0 if is_int else None, minimum=info.minimum,
                     maximum=info.maximum, **common)


def build_components(names: Sequence[str], defaults: DragParams = DragParams()) -> Dict[str, Any]:
    by_name = {f.name: f for f in FIELDS}
    return {n: build_component(by_name[n], getattr(defaults, n)) for n in names}


def params_from_values(values: Sequence[Any]) -> DragParams:
    """Widget values in FIELDS order -> DragParams (ValueError naming the field)."""
    if len(values) != len(FIELDS):
        raise ValueError(f"expected {len(FIELDS)} parameter values, got {len(values)}")
    return DragParams.from_dict({f.name: v for f, v in zip(FIELDS, values)})


def field_names() -> List[str]:
    return [f.name for f in FIELDS]
