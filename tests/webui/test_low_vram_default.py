"""low_vram follows the WebUI's --medvram/--lowvram unless the request sets it (tab, API, /schema)."""
import pytest

from .test_api import body


def _captured_params(webui, client, monkeypatch, params):
    from easydrag_ext.webui import webui_host as services
    from easydrag_ext import DragCancelled

    seen = []

    def run_drag(self, request):
        seen.append(request.params)
        raise DragCancelled("captured")

    monkeypatch.setattr(services.WebuiServices, "run_drag", run_drag)
    r = client.post("/easydrag/v1/drag", json=body(params=params))
    assert r.status_code == 409, r.text
    return seen[0]


@pytest.mark.parametrize("flag", ["medvram", "lowvram", None])
def test_api_default_follows_the_flags_and_an_explicit_value_wins(webui, client, monkeypatch, flag):
    if flag:
        monkeypatch.setattr(webui.shared.cmd_opts, flag, True)
    assert _captured_params(webui, client, monkeypatch, {"max_iterations": 2}).low_vram is bool(flag)
    assert _captured_params(webui, client, monkeypatch, {"low_vram": False}).low_vram is False
    assert _captured_params(webui, client, monkeypatch, {"low_vram": True}).low_vram is True
    schema = {p["name"]: p for p in client.get("/easydrag/v1/schema").json()["params"]}
    assert schema["low_vram"]["default"] is bool(flag)
    assert schema["max_iterations"]["default"] == 50


def test_a_non_object_params_is_still_one_clear_error(webui, client):
    r = client.post("/easydrag/v1/drag", json=body(params=[1, 2]))
    assert r.status_code == 422


def test_tab_starts_with_low_vram_on_under_medvram(webui, monkeypatch):
    from easydrag_ext.webui import callbacks

    built = {}

    def fake_build_tab(services, defaults):
        built["defaults"] = defaults
        raise RuntimeError("stop after the defaults")

    import easydrag_ext.ui.tab as tab

    monkeypatch.setattr(tab, "build_tab", fake_build_tab)
    monkeypatch.setattr(webui.shared.cmd_opts, "medvram", True)
    with pytest.raises(RuntimeError, match="stop after"):
        callbacks.on_ui_tabs()
    assert built["defaults"].low_vram is True
