"""One gradio component per DragParams field, built from `FIELDS` (labels, ranges, help).

Values go back through `DragParams.from_dict`, so the widgets never hold their own rules.
The tab shows them in two tiers: the few a user changes (`VISIBLE`, those present in
FIELDS) and an "Advanced" accordion for the rest, each noting the paper's value.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence

import gradio as gr

from ..params import FIELDS, NUM_OUTPUT_BLOCKS, DragParams

ELEM_PREFIX = "easydrag_param_"
ELEM_IDS = {f.name: ELEM_PREFIX + f.name for f in FIELDS}
ELEM_IDS["mask_mode"] = "easydrag_mask_mode"   # the canvas reads this one by id
MAX_SLIDER_STEPS = 1000

# The first tier, by name; names not (yet) in FIELDS are skipped, so a field added in
# params.py shows up here without a second list to edit. mask_mode sits in the canvas toolbar.
VISIBLE = ("guidance_mode", "max_iterations", "reference_scale")
TOOLBAR = ("mask_mode",)
# Fields that are this project's additions or whose default is not the paper's setting;
# every other field's DragParams() default is the paper's / official code's value.
PAPER_NOTES = {
    "confine_to_mask": "paper: off",
    "confine_margin": "not in the paper",
    "resize_long_side": "paper: 512",
    "seed": "not in the paper (the method is deterministic)",
}


def component_value(name: str, value: Any) -> Any:
    """A DragParams value in the form its widget holds."""
    if name == "feature_blocks":
        return [str(int(v)) for v in value]
    return value


def paper_note(name: str) -> str:
    """"paper: <value>" for a field (the DragParams default), or the field's own note."""
    if name in PAPER_NOTES:
        return PAPER_NOTES[name]
    value = component_value(name, getattr(DragParams(), name))
    if isinstance(value, list):
        value = ", ".join(value)
    return f"paper: {value}"


def build_component(f, value: Any = None, paper: bool = False, elem_classes=None):
    info = f.metadata["info"]
    value = component_value(f.name, f.default if value is None else value)
    help_text = f"{info.help} ({paper_note(f.name)})" if paper else info.help
    common = dict(label=info.label, info=help_text, elem_id=ELEM_IDS[f.name])
    if elem_classes:
        common["elem_classes"] = list(elem_classes)
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


def build_components(names: Sequence[str], defaults: DragParams = DragParams(),
                     with_paper: bool = False, elem_classes=None) -> Dict[str, Any]:
    by_name = {f.name: f for f in FIELDS}
    return {n: build_component(by_name[n], getattr(defaults, n), with_paper, elem_classes) for n in names}


def params_from_values(values: Sequence[Any]) -> DragParams:
    """Widget values in FIELDS order -> DragParams (ValueError naming the field)."""
    if len(values) != len(FIELDS):
        raise ValueError(f"expected {len(FIELDS)} parameter values, got {len(values)}")
    return DragParams.from_dict({f.name: v for f, v in zip(FIELDS, values)})


def field_names() -> List[str]:
    return [f.name for f in FIELDS]


def visible_fields() -> List[str]:
    """The first tier, in VISIBLE order, for the names FIELDS has."""
    names = set(field_names())
    return [n for n in VISIBLE if n in names]


def advanced_fields() -> List[str]:
    """Every other field, in FIELDS order."""
    first = set(VISIBLE) | set(TOOLBAR)
    return [n for n in field_names() if n not in first]
