"""install.py: fast, installs nothing, never imports torch/gradio, honours --skip-install."""
import os
import runpy
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import runpy, subprocess, sys, os
def refuse(*a, **k):
    raise AssertionError("install.py tried to run a process: %r" % (a,))
subprocess.run = subprocess.call = subprocess.check_call = subprocess.check_output = subprocess.Popen = refuse
os.system = refuse
sys.argv = ["install.py"]
try:
    runpy.run_path("install.py", run_name="__main__")
except SystemExit as e:
    code = e.code
else:
    code = 0
heavy = [m for m in ("torch", "gradio", "pip", "numpy") if m in sys.modules]
print("code", code, "heavy", heavy)
"""


def test_install_py_is_fast_checks_only_and_runs_no_process():
    env = {k: v for k, v in os.environ.items() if k != "COMMANDLINE_ARGS"}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    elapsed = time.perf_counter() - start
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "code 0 heavy []"
    assert elapsed < 1.0, f"install.py took {elapsed:.2f} s"


def _load():
    return runpy.run_path(str(ROOT / "install.py"), run_name="easydrag_install")


def test_missing_packages_give_a_clear_message_and_skip_install_skips(capsys, monkeypatch):
    ns = _load()
    ns["main"].__globals__["REQUIRED"] = ("torch", "surely-not-installed-pkg")
    assert ns["main"]([]) == 1
    assert "missing surely-not-installed-pkg" in capsys.readouterr().err
    assert ns["main"](["--skip-install"]) == 0
    monkeypatch.setenv("COMMANDLINE_ARGS", "--api --skip-install")
    assert ns["main"]([]) == 0


def test_idempotent_second_run_is_the_same(capsys):
    ns = _load()
    assert ns["main"]([]) == 0 and ns["main"]([]) == 0
    assert capsys.readouterr().err == ""
