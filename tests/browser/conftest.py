"""Shared browser-test fixtures: headless Debian Chromium through Playwright (no browser
download), and the standalone app started as users start it (`python -m easydrag_ext ui`)
unless EASYDRAG_UI_URL names a running one."""
import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))   # canvas_targets

CHROMIUM = os.environ.get("EASYDRAG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def browser_context():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}. Install it with: "
                    "apt-get update && apt-get install -y chromium chromium-driver "
                    "(or set EASYDRAG_CHROMIUM to its path)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Python package playwright is missing. Install it with: pip install playwright "
                    "(no 'playwright install' needed: the test uses the Debian Chromium)", pytrace=False)
    with tempfile.TemporaryDirectory(prefix="easydrag-chromium-") as profile, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1000, "height": 1100})
        try:
            yield ctx
        finally:
            ctx.close()


@pytest.fixture(scope="session")
def app_url():
    """The standalone app as users start it, unless EASYDRAG_UI_URL names one."""
    url = os.environ.get("EASYDRAG_UI_URL", "").strip()
    if url:
        yield url
        return
    yield from _serve(lambda port: [sys.executable, "-m", "easydrag_ext", "ui", "--port", str(port)],
                      "the standalone app")


@pytest.fixture(scope="session")
def webui_url():
    """The tab mounted like WebUI v1.10.1 mounts it, on the fake host (tests/browser/webui_page.py)."""
    yield from _serve(lambda port: [sys.executable, str(Path(__file__).parent / "webui_page.py"), str(port)],
                      "the fake WebUI page")


def _serve(command, what):
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.TemporaryFile()
    out = tempfile.TemporaryDirectory(prefix="easydrag-ui-out-")
    proc = subprocess.Popen(command(port), cwd=out.name,
                            env=dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")),
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 180
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    pytest.fail(f"{what} did not start:\n" + log.read().decode()[-3000:], pytrace=False)
                time.sleep(1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        out.cleanup()
