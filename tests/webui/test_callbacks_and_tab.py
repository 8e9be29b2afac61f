"""Entry script, callbacks, settings, the tab inside the (fake) WebUI page, Send-to bindings."""
import os
import subprocess
import sys
from pathlib import Path

import gradio as gr

from .helpers import by_id, walk

ROOT = Path(__file__).resolve().parents[2]


def test_scripts_holds_exactly_one_thin_entry():
    files = sorted(p.name for p in (ROOT / "scripts").iterdir() if not p.name.startswith("__"))
    assert files == ["easydrag.py"]
    assert len((ROOT / "scripts" / "easydrag.py").read_text().splitlines()) < 20


def test_entry_registers_every_callback_once(webui):
    cbs = webui.script_callbacks.callbacks
    for category in ("ui_tabs", "after_component", "ui_settings", "app_started", "model_loaded"):
        assert len(cbs[category]) == 1, category


def test_settings_section_keys_and_output_folder_fallback(webui):
    from easydrag_ext.webui import settings

    opts = webui.shared.opts
    ours = {k: v for k, v in opts.data_labels.items() if k.startswith("easydrag_")}
    assert set(ours) == {"easydrag_outdir", "easydrag_save_automatically", "easydrag_preview_every",
                         "easydrag_resize_policy"}
    assert all(v.section == ("easydrag", "EasyDrag") for v in ours.values())
    # a category, or the settings page files the section under "Uncategorized"
    assert all(v.category_id == "sd" for v in ours.values())
    assert settings.output_dir() == os.path.join(str(webui.data_dir), "outputs", "easydrag-images")
    opts.easydrag_outdir = ""
    assert settings.output_dir() == opts.outdir_img2img_samples


def test_tab_is_registered_with_id_and_builds_under_gradio_3(webui):
    assert gr.__version__ == "3.41.2"
    tabs = webui.script_callbacks.ui_tabs_callback()
    assert [(title, elem_id) for _, title, elem_id in tabs] == [("EasyDrag", "easydrag")]
    assert isinstance(tabs[0][0], gr.Blocks)


def test_tab_ids_labels_and_canvas_contract(page):
    tab = by_id(page, "tab_easydrag")
    blocks = list(walk(tab))[1:]
    ids = [b.elem_id for b in blocks if getattr(b, "elem_id", None)]
    assert ids and all(i.startswith("easydrag_") for i in ids), [i for i in ids if not i.startswith("easydrag_")]
    assert len(ids) == len(set(ids))
    labels = [b.label for b in blocks if isinstance(b, gr.components.IOComponent) and b.label]
    labels += [b.value for b in blocks if isinstance(b, gr.Button)]
    assert len(labels) == len(set(labels)), sorted(labels)

    assert isinstance(by_id(tab, "easydrag_canvas"), gr.HTML)
    image = by_id(tab, "easydrag_image")
    assert isinstance(image, gr.Image) and image.type == "pil"
    for hidden in ("easydrag_points_json", "easydrag_result_json"):
        box = by_id(tab, hidden)
        assert isinstance(box, gr.Textbox) and box.visible is True   # rendered, hidden by CSS
        assert "easydrag-hidden" in box.elem_classes
    assert isinstance(by_id(tab, "easydrag_mask_mode"), gr.Radio)
    assert [c[-1] if isinstance(c, tuple) else c for c in by_id(tab, "easydrag_mask_mode").choices] == ["auto", "user", "none"]
    assert isinstance(by_id(tab, "easydrag_result"), gr.Image)


def test_every_drag_param_has_a_widget_with_the_engine_default(page):
    from easydrag_ext.params import FIELDS, DragParams
    from easydrag_ext.ui.param_widgets import ELEM_IDS, component_value

    tab = by_id(page, "tab_easydrag")
    for f in FIELDS:
        comp = by_id(tab, ELEM_IDS[f.name])
        assert comp.label == f.metadata["info"].label
        assert comp.value == component_value(f.name, getattr(DragParams(), f.name))


def test_send_to_easydrag_bound_for_both_galleries(webui, page):
    iu = webui.infotext_utils
    ours = [b for b in iu.registered_param_bindings if b.tabname == "easydrag"]
    by_button = {b.paste_button.elem_id: b for b in ours}
    for tab in ("txt2img", "img2img"):
        binding = by_button[f"{tab}_send_to_easydrag"]
        assert binding.source_image_component is by_id(page, f"{tab}_gallery")
        # the button sits in the host's button row, next to the other send buttons
        extras = by_id(page, f"{tab}_send_to_extras")
        assert binding.paste_button.parent is extras.parent
        assert binding.paste_button in list(walk(by_id(page, f"image_buttons_{tab}")))
    png = by_button["pnginfo_send_to_easydrag"]
    assert png.source_text_component is by_id(page, "pnginfo_generation_info")
    assert png.source_image_component is by_id(page, "pnginfo_image")
    assert iu.paste_fields["easydrag"]["init_img"] is by_id(page, "easydrag_image")
    switched = {b.elem_id for b, js in iu.wired if js == "switch_to_easydrag"}
    assert switched == {"txt2img_send_to_easydrag", "img2img_send_to_easydrag", "pnginfo_send_to_easydrag"}


def test_results_are_sent_on_with_our_infotext(webui, page):
    iu = webui.infotext_utils
    sent = {b.tabname: b for b in iu.registered_param_bindings
            if getattr(b.paste_button, "elem_id", "").startswith("easydrag_send_to_")}
    assert set(sent) == {"img2img", "inpaint", "extras"}
    for b in sent.values():
        assert b.source_text_component is by_id(page, "easydrag_infotext")
        assert b.source_image_component is by_id(page, "easydrag_result")


def test_js_defines_the_functions_the_host_calls():
    js = (ROOT / "javascript" / "easydrag_webui.js").read_text()
    for fn in ("switch_to_easydrag", "recalculate_prompts_easydrag", "submit_easydrag"):
        assert f"function {fn}(" in js
    assert "'tab_easydrag'" in js and "EasyDrag'" not in js   # by id, never by label


def test_tab_builds_in_plain_gradio_without_the_webui():
    code = ("import sys; from easydrag_ext.ui.standalone import build_app; app, tab, s = build_app(None); "
            "assert tab.image.elem_id == 'easydrag_image'; "
            "assert not [m for m in sys.modules if m == 'modules' or m.startswith('modules.')]; "
            "assert not [m for m in sys.modules if m.startswith('easydrag_ext.webui')]")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_capability_checks_name_the_unsupported_model(webui, tiny_model):
    import types

    from easydrag_ext.webui import compat

    assert compat.unsupported_reason(tiny_model) is None
    assert compat.is_forge() is False
    forge_like = types.SimpleNamespace(is_sdxl=False, parameterization="eps", model=None, forge_objects=object())
    assert "Forge" in compat.unsupported_reason(forge_like)
    assert "no checkpoint" in compat.unsupported_reason(None)
    sdxl = types.SimpleNamespace(conditioner=object())
    assert "SDXL" in compat.unsupported_reason(sdxl)
    assert compat.model_hash(types.SimpleNamespace(sd_model_hash=None,
                                                   sd_checkpoint_info=types.SimpleNamespace(shorthash="abc"))) == "abc"


def test_output_folder_default_is_relative_inside_the_webui_folder(webui, monkeypatch):
    """Like the host's own `outputs/txt2img-images`: config.json must not pin this machine's path."""
    from easydrag_ext.webui import settings

    monkeypatch.chdir(webui.data_dir)
    assert settings.default_outdir_setting() == os.path.join("outputs", "easydrag-images")
    monkeypatch.chdir(os.path.dirname(os.path.abspath(__file__)))   # a WebUI elsewhere: keep it whole
    assert os.path.isabs(settings.default_outdir_setting())
