"""Paste/send wiring and infotext parsing with the host's names and behaviour (own code)."""
import base64
import io
import json
import re
import sys

import gradio as gr

from modules import images, script_callbacks, shared

sys.modules["modules.generation_parameters_copypaste"] = sys.modules[__name__]

_PAIR = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_SIZE = re.compile(r"^(\d+)x(\d+)$")
type_of_gr_update = type(gr.update())

paste_fields = {}
registered_param_bindings = []
wired = []          # (button, js function name) for every click connected, for tests


class ParamBinding:
    def __init__(self, paste_button, tabname, source_text_component=None, source_image_component=None,
                 source_tabname=None, override_settings_component=None, paste_field_names=None):
        self.paste_button = paste_button
        self.tabname = tabname
        self.source_text_component = source_text_component
        self.source_image_component = source_image_component
        self.source_tabname = source_tabname
        self.override_settings_component = override_settings_component
        self.paste_field_names = paste_field_names or []


def reset():
    paste_fields.clear()
    registered_param_bindings.clear()
    wired.clear()


def add_paste_fields(tabname, init_img, fields, override_settings_component=None):
    paste_fields[tabname] = {"init_img": init_img, "fields": fields,
                             "override_settings_component": override_settings_component}


def create_buttons(tabs_list):
    return {tab: gr.Button(f"Send to {tab}", elem_id=f"{tab}_tab") for tab in tabs_list}


def register_paste_params_button(binding):
    registered_param_bindings.append(binding)


def image_from_url_text(filedata):
    if filedata is None:
        return None
    if isinstance(filedata, list):
        if not filedata:
            return None
        filedata = filedata[0]
    if isinstance(filedata, dict) and filedata.get("is_file"):
        return images.read(filedata["name"].rsplit("?", 1)[0])
    if filedata.startswith("data:image/png;base64,"):
        filedata = filedata[len("data:image/png;base64,"):]
    return images.read(io.BytesIO(base64.decodebytes(filedata.encode("utf-8"))))


def parse_generation_parameters(x, skip_fields=None):
    if skip_fields is None:
        skip_fields = shared.opts.infotext_skip_pasting
    res = {}
    *lines, lastline = x.strip().split("\n")
    if len(_PAIR.findall(lastline)) < 3:
        lines.append(lastline)
        lastline = ""
    prompt, negative, in_negative = [], [], False
    for line in lines:
        line = line.strip()
        if line.startswith("Negative prompt:"):
            in_negative = True
            line = line[16:].strip()
        (negative if in_negative else prompt).append(line)
    for k, v in _PAIR.findall(lastline):
        if v[:1] == '"' and v[-1:] == '"':
            try:
                v = json.loads(v)
            except ValueError:
                pass
        m = _SIZE.match(v)
        if m is not None:
            res[f"{k}-1"], res[f"{k}-2"] = m.group(1), m.group(2)
        else:
            res[k] = v
    res["Prompt"] = "\n".join(prompt)
    res["Negative prompt"] = "\n".join(negative)
    # the host fills these when missing; an extension's keys must not collide with them
    for key, default in (("Clip skip", "1"), ("Mask mode", "Inpaint masked"), ("Masked content", "original"),
                         ("Inpaint area", "Whole picture"), ("RNG", "GPU"), ("Schedule type", "Automatic")):
        res.setdefault(key, default)
    for key in skip_fields:
        res.pop(key, None)
    return res


def paste_values(paste_fields_list, params):
    """What the host's paste click returns for `params` (used by connect_paste)."""
    res = []
    for output, key in paste_fields_list:
        v = key(params) if callable(key) else params.get(key, None)
        if v is None:
            res.append(gr.update())
        elif isinstance(v, type_of_gr_update):
            res.append(v)
        else:
            valtype = type(output.value)
            val = False if valtype == bool and v == "False" else (float(v) if valtype == int else valtype(v))
            res.append(gr.update(value=val))
    return res


def connect_paste(button, fields, input_comp, override_settings_component, tabname):
    def paste_func(prompt):
        params = parse_generation_parameters(prompt)
        script_callbacks.infotext_pasted_callback(prompt, params)
        return paste_values(fields, params)

    button.click(fn=paste_func, inputs=[input_comp], outputs=[x[0] for x in fields], show_progress=False)
    button.click(fn=None, _js=f"recalculate_prompts_{tabname}", inputs=[], outputs=[], show_progress=False)
    wired.append((button, f"recalculate_prompts_{tabname}"))


def connect_paste_params_buttons():
    for binding in registered_param_bindings:
        destination = paste_fields[binding.tabname]["init_img"]
        fields = paste_fields[binding.tabname]["fields"]
        if binding.source_image_component and destination:
            if isinstance(binding.source_image_component, gr.Gallery):
                func, jsfunc = image_from_url_text, "extract_image_from_gallery"
            else:
                func, jsfunc = (lambda x: x), None
            binding.paste_button.click(fn=func, _js=jsfunc, inputs=[binding.source_image_component],
                                       outputs=[destination], show_progress=False)
        if binding.source_text_component is not None and fields is not None:
            connect_paste(binding.paste_button, fields, binding.source_text_component, None, binding.tabname)
        binding.paste_button.click(fn=None, _js=f"switch_to_{binding.tabname}", inputs=None, outputs=None,
                                   show_progress=False)
        wired.append((binding.paste_button, f"switch_to_{binding.tabname}"))
