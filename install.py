"""Run by the WebUI after "Install from URL" and at every launch (unless --skip-install).

EasyDrag needs nothing beyond what the WebUI ships (torch, gradio, numpy, Pillow), so
this only checks, quickly and without importing torch or gradio, that those are there,
and prints a clear message if not.  It never installs or upgrades anything.
"""
import os
import shlex
import sys
from importlib import metadata

REQUIRED = ("torch", "gradio", "numpy", "Pillow")
MINIMUM_MAJOR = {"torch": 2, "gradio": 3}   # WebUI 1.10 ships torch 2.1+ and gradio 3.41


def major(version):
    head = version.split(".")[0]
    return int(head) if head.isdigit() else 0


def missing_packages(names=None):
    missing = []
    for name in REQUIRED if names is None else names:
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:  # the WebUI runs us as a subprocess; its own flags arrive in COMMANDLINE_ARGS
        host_args = shlex.split(os.environ.get("COMMANDLINE_ARGS", ""))
    except ValueError:
        host_args = []
    if "--skip-install" in argv or "--skip-install" in host_args:
        return 0
    missing = missing_packages()
    if missing:
        print(f"[EasyDrag] missing {', '.join(missing)}: EasyDrag runs inside the AUTOMATIC1111 "
              "WebUI, which provides them; reinstall the WebUI's requirements.", file=sys.stderr)
        return 1
    for name, least in MINIMUM_MAJOR.items():
        have = metadata.version(name)
        if major(have) < least:
            print(f"[EasyDrag] {name} {have} is too old (need {least}.x or newer); "
                  "update the WebUI.", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
