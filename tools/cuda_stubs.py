"""Let PyPI's CUDA build of torch import on a machine without NVIDIA's libraries.

    python tools/cuda_stubs.py TORCH_LIB_DIR      # e.g. .venv/torch-2.1.2/torch/lib

The torch 2.1.2 wheel that WebUI v1.10.1 installs is a CUDA build: its libraries name
libcudart, libcublas, libcudnn, ... as NEEDED, and those come as ~1.8 GB of nvidia-* wheels.
CPU tests call none of them, so each missing library is replaced by a small stub with the
same soname, version node and symbol names (every function returns 100, CUDA's "no device"
error), built with the system C compiler and written next to torch's own libraries (their
RPATH includes $ORIGIN).  torch then imports, reports no CUDA device, and runs its CPU
kernels: exactly the CPU code of the WebUI's torch.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

# Libraries of the system or of the wheel itself, never stubbed.
SYSTEM = re.compile(r"^(libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|ld-linux.*|libgomp.*|libutil)\.so")


def _needed(lib: Path):
    out = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def _undefined(lib: Path):
    """(symbol, version or '') for each undefined dynamic symbol."""
    out = subprocess.run(["objdump", "-T", str(lib)], capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        if "*UND*" not in line:
            continue
        parts = line.split()
        name = parts[-1]
        ver = parts[-2].strip("()") if parts[-2].startswith("(") else ""
        syms.append((name, ver))
    return syms


def _defined(lib: Path):
    out = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True, text=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def make_stubs(lib_dir: Path) -> list:
    libs = sorted(p for p in lib_dir.glob("*.so*") if p.is_file())
    present = {p.name for p in libs}
    missing = sorted({n for p in libs for n in _needed(p)} - present - {n for n in present})
    missing = [n for n in missing if not SYSTEM.match(n)]
    if not missing:
        return []
    versioned = defaultdict(set)      # soname -> symbols with that version node
    loose = set()                      # unversioned undefined symbols
    defined = set()
    for p in libs:
        defined |= _defined(p)
        for name, ver in _undefined(p):
            if ver in missing:
                versioned[ver].add(name)
            elif not ver:
                loose.add(name)
    # Unversioned symbols nothing in the wheel defines and no system library provides: give them
    # to every stub (a duplicate definition is harmless; the first one loaded wins).
    system_defs = set()
    for sys_lib in ("libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1"):
        found = subprocess.run(["gcc", f"-print-file-name={sys_lib}"], capture_output=True, text=True).stdout.strip()
        if found and Path(found).exists():
            system_defs |= _defined(Path(found))
    loose -= defined | system_defs
    loose = {s for s in loose if not s.startswith(("_ITM_", "__gmon", "_Jv_", "__cxa", "__gxx"))}
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        for soname in missing:
            src, vers = Path(tmp, "stub.c"), Path(tmp, "stub.map")
            names = sorted(versioned.get(soname, set()) | loose)
            src.write_text("".join(f"int {n}(void) {{ return 100; }}\n" for n in names) or "int _stub;\n")
            body = "".join(f"{n};" for n in sorted(versioned.get(soname, ()))) 
            vers.write_text(f"{soname} {{ global: {body} {''.join(f'{n};' for n in sorted(loose))} }};\n")
            out = lib_dir / soname
            subprocess.run(["gcc", "-shared", "-fPIC", "-w", "-fno-builtin", "-o", str(out), str(src),
                            f"-Wl,-soname,{soname}", f"-Wl,--version-script={vers}"], check=True)
            made.append(soname)
    return made


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    made = make_stubs(Path(argv[0]))
    print(f"cuda stubs: {', '.join(made) if made else 'none needed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
