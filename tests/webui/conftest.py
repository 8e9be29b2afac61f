"""Fixtures: the fake WebUI `modules` package (tests/webui/fakehost) and the glue loaded into it."""
import runpy
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKEHOST = Path(__file__).resolve().parent / "fakehost"


def _purge():
    for name in list(sys.modules):
        if name == "modules" or name.startswith("modules.") or name.startswith("easydrag_ext.webui"):
            del sys.modules[name]


@pytest.fixture
def webui(tmp_path, monkeypatch, tiny_model):
    """A fresh fake host with the extension loaded like the WebUI loads scripts/*.py."""
    monkeypatch.setenv("EASYDRAG_FAKE_DATA_DIR", str(tmp_path))
    _purge()
    sys.path.insert(0, str(FAKEHOST))
    try:
        import modules.shared as shared
        from modules import call_queue, devices, images, infotext_utils, lowvram, script_callbacks

        shared.sd_model = tiny_model
        runpy.run_path(str(ROOT / "scripts" / "easydrag.py"))
        script_callbacks.ui_settings_callback()
        yield types.SimpleNamespace(shared=shared, script_callbacks=script_callbacks, images=images,
                                    infotext_utils=infotext_utils, call_queue=call_queue, devices=devices,
                                    lowvram=lowvram, data_dir=tmp_path)
    finally:
        sys.path.remove(str(FAKEHOST))
        _purge()


@pytest.fixture
def page(webui):
    """The fake WebUI page built with the EasyDrag tab in it."""
    from modules import ui

    return ui.create_ui()


@pytest.fixture
def client(webui):
    """The WebUI's FastAPI app with EasyDrag's routes, as `on_app_started` adds them."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI()
    webui.script_callbacks.app_started_callback(None, app)
    return TestClient(app)
