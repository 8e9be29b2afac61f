"""Callback registry with the host's `on_*` names; `*_callback` invokers run them."""
from collections import defaultdict

callbacks = defaultdict(list)   # category -> [(name, fn)]


def _add(category, callback, name):
    callbacks[category].append((name, callback))


def clear_callbacks():
    callbacks.clear()


def on_app_started(callback, *, name=None):
    _add("app_started", callback, name)


def on_model_loaded(callback, *, name=None):
    _add("model_loaded", callback, name)


def on_ui_tabs(callback, *, name=None):
    _add("ui_tabs", callback, name)


def on_ui_settings(callback, *, name=None):
    _add("ui_settings", callback, name)


def on_before_component(callback, *, name=None):
    _add("before_component", callback, name)


def on_after_component(callback, *, name=None):
    _add("after_component", callback, name)


def on_script_unloaded(callback, *, name=None):
    _add("script_unloaded", callback, name)


def on_infotext_pasted(callback, *, name=None):
    _add("infotext_pasted", callback, name)


def app_started_callback(demo, app):
    for _, cb in callbacks["app_started"]:
        cb(demo, app)


def model_loaded_callback(sd_model):
    for _, cb in callbacks["model_loaded"]:
        cb(sd_model)


def ui_tabs_callback():
    res = []
    for _, cb in callbacks["ui_tabs"]:
        res += cb() or []
    return res


def ui_settings_callback():
    for _, cb in callbacks["ui_settings"]:
        cb()


def before_component_callback(component, **kwargs):
    for _, cb in callbacks["before_component"]:
        cb(component, **kwargs)


def after_component_callback(component, **kwargs):
    for _, cb in callbacks["after_component"]:
        cb(component, **kwargs)


def infotext_pasted_callback(infotext, params):
    for _, cb in callbacks["infotext_pasted"]:
        cb(infotext, params)


def script_unloaded_callback():
    for _, cb in callbacks["script_unloaded"]:
        cb()
