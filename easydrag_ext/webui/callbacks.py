"""Registers every WebUI callback EasyDrag uses (called once per scripts import/reload)."""
from __future__ import annotations

from . import api, compat, send_to, settings
from .webui_host import WebuiServices, clear_caches, default_params

TAB_TITLE = "EasyDrag"
TAB_ID = send_to.TABNAME          # the host gives the tab item the id "tab_easydrag"


def on_ui_tabs():
    from ..ui.tab import build_tab

    tab = build_tab(WebuiServices(), defaults=default_params())
    return [(tab.blocks, TAB_TITLE, TAB_ID)]


def on_model_loaded(_sd_model) -> None:
    """A new checkpoint: drop the inversion cache and what was learned about the old model."""
    compat.forget_models()
    clear_caches()


def on_script_unloaded() -> None:
    compat.unwatch_unload()


def register() -> None:
    from modules import script_callbacks

    script_callbacks.on_ui_tabs(on_ui_tabs, name="easydrag_tab")
    script_callbacks.on_after_component(send_to.after_component, name="easydrag_send_to")
    script_callbacks.on_ui_settings(settings.on_ui_settings, name="easydrag_settings")
    script_callbacks.on_app_started(api.on_app_started, name="easydrag_api")
    script_callbacks.on_model_loaded(on_model_loaded, name="easydrag_model_loaded")
    script_callbacks.on_script_unloaded(on_script_unloaded, name="easydrag_unloaded")
    compat.watch_unload(clear_caches)      # "Unload SD checkpoint" fires no callback
