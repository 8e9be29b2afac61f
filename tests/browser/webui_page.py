"""The EasyDrag tab mounted the way WebUI v1.10.1 mounts an extension tab, served for the
browser tests: `python tests/browser/webui_page.py PORT`.

The fake host (tests/webui/fakehost) builds its page: gr.Tabs(elem_id="tabs") with
txt2img, img2img, Extras, PNG Info and the on_ui_tabs tabs, each a TabItem with
elem_id "tab_<id>"; the extension is loaded from scripts/easydrag.py on a tiny seeded
model.  Like the host, every javascript/*.js (easydrag_webui.js included) and style.css
go on the page, after stand-ins for the host functions they call (webui_host_stub.js).
The WebUI's own style.css and script.js are not available and not imitated.
"""
import os
import runpy
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAKEHOST = ROOT / "tests" / "webui" / "fakehost"


def build():
    import json

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(FAKEHOST))
    os.environ.setdefault("EASYDRAG_FAKE_DATA_DIR", tempfile.mkdtemp(prefix="easydrag-webui-"))
    import modules.shared as shared
    from modules import script_callbacks, ui

    from easydrag_ext.testing.tiny_ldm import build_tiny_model

    shared.sd_model = build_tiny_model(seed=0)
    runpy.run_path(str(ROOT / "scripts" / "easydrag.py"))
    script_callbacks.ui_settings_callback()
    demo = ui.create_ui()
    scripts = [(Path(__file__).parent / "webui_host_stub.js").read_text(encoding="utf8")]
    scripts += [p.read_text(encoding="utf8") for p in sorted((ROOT / "javascript").glob("*.js"))]
    demo.css = (ROOT / "style.css").read_text(encoding="utf8")
    loader = ("() => { for (const code of " + json.dumps(scripts) + ") { const s = document.createElement('script');"
              " s.textContent = code; document.head.appendChild(s); } return []; }")
    with demo:
        demo.load(fn=None, inputs=None, outputs=None, _js=loader)
    return demo


if __name__ == "__main__":
    app = build()
    app.queue(concurrency_count=2)
    app.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), prevent_thread_lock=False)
