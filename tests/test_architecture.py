"""The product package's import graph, read from the source with ast (nothing is imported).

- easydrag_ext imports nothing from research/, bench/ or tests/ (the lab and the benchmarks sit
  outside the product and may import it, never the other way round);
- only easydrag_ext/testing (the tests' and benches' random-weight models) imports itself; the
  product never does;
- only easydrag_ext/webui imports the WebUI's `modules`;
- the engine knows nothing of the tab, the WebUI, the CLI or the bundled model;
- no import cycles between the product's modules.  Every import statement counts, also those
  inside functions (a lazy import hides a cycle, it does not remove it); the package __init__
  files Python runs on the way to a submodule do not (an __init__ importing its own submodules
  is how packages work).  docs/architecture.md describes the folders these rules keep apart.
"""
import ast
from pathlib import Path
from typing import Dict, List, Set

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "easydrag_ext"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_names(path: Path, name: str, known=frozenset()) -> Set[str]:
    """Absolute dotted names of the modules `path` imports.  `from X import y` imports X.y where
    that is a module in `known`, else X (y is then an attribute of X)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = ".".join(base[:len(base) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                out.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return out


def graph() -> Dict[str, Set[str]]:
    """Module -> the product modules it imports."""
    mods = modules()
    edges = {}
    for name, path in mods.items():
        targets = set()
        for imported in imported_names(path, name, frozenset(mods)):
            if imported.split(".")[0] != "easydrag_ext":
                continue
            while imported not in mods:         # e.g. `import easydrag_ext.engine.sdp as x` of a module
                imported = imported.rpartition(".")[0]
            if imported != name:
                targets.add(imported)
        edges[name] = targets
    return edges


def top_level_imports(path: Path, name: str) -> Set[str]:
    return {n.split(".")[0] for n in imported_names(path, name)}


def find_cycle(edges: Dict[str, Set[str]]) -> List[str]:
    """One cycle as a list of modules (first == last), or [] when there is none."""
    state: Dict[str, int] = {}          # 1: on the current path, 2: done
    path: List[str] = []

    def visit(node: str) -> List[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_the_walk_sees_the_whole_package():
    mods = modules()
    assert {"easydrag_ext", "easydrag_ext.cli", "easydrag_ext.engine.optimize", "easydrag_ext.bundled.model",
            "easydrag_ext.webui.api"} <= set(mods)
    # resolution of relative imports, checked on a module whose imports are known
    assert {"easydrag_ext.bundled.latent_diffusion"} <= graph()["easydrag_ext.bundled.model"]


@pytest.mark.parametrize("outside", ["research", "bench", "tests"])
def test_the_product_imports_nothing_from_outside_it(outside):
    offenders = [n for n, p in modules().items() if outside in top_level_imports(p, n)]
    assert offenders == []


def test_only_the_testing_package_imports_the_test_models():
    offenders = [n for n, targets in graph().items() if not n.startswith("easydrag_ext.testing")
                 and any(t.startswith("easydrag_ext.testing") for t in targets)]
    assert offenders == []


def test_only_the_webui_glue_imports_the_webuis_modules():
    offenders = [n for n, p in modules().items() if not n.startswith("easydrag_ext.webui")
                 and "modules" in top_level_imports(p, n)]
    assert offenders == []


def test_the_engine_imports_only_itself_and_the_parameter_model():
    allowed = ("easydrag_ext.engine", "easydrag_ext.params")
    offenders = {n: sorted(t for t in targets if not t.startswith(allowed))
                 for n, targets in graph().items() if n.startswith("easydrag_ext.engine")}
    assert {n: t for n, t in offenders.items() if t} == {}


def test_there_are_no_import_cycles():
    assert find_cycle(graph()) == []


def test_the_cycle_finder_finds_a_cycle_behind_a_lazy_import(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from .x import y\n    from . import z, w\n")
    assert imported_names(a, "easydrag_ext.a", frozenset({"easydrag_ext.z"})) == {
        "easydrag_ext.x", "easydrag_ext.z", "easydrag_ext"}
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


# Host differences are detected in two places: gradio's in ui/gradio_compat.py (host-free code
# imports it), the WebUI's and Forge's in webui/compat.py.  No other file reads a version or
# names a host-specific keyword itself.
HOST_COMPAT = {"easydrag_ext.ui.gradio_compat", "easydrag_ext.webui.compat"}
JS_HOOK_KEYWORDS = {"_js", "js"}


def host_probes(path: Path) -> List[str]:
    """`x.__version__` reads, JS-hook keywords in calls, and the name of Forge's package."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Attribute) and node.attr == "__version__":
            found.append(f"line {node.lineno}: .__version__")
        elif isinstance(node, ast.keyword) and node.arg in JS_HOOK_KEYWORDS:
            found.append(f"line {node.value.lineno}: {node.arg}=")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "modules_forge" in node.value:
            found.append(f"line {node.lineno}: 'modules_forge'")
    return found


def test_only_the_two_compat_modules_probe_the_host():
    offenders = {n: host_probes(p) for n, p in modules().items() if n not in HOST_COMPAT}
    assert {n: f for n, f in offenders.items() if f} == {}


def test_the_probe_finder_sees_each_kind_of_probe(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import gradio as gr\nv = gr.__version__\nb.click(fn, _js='f')\nfind_spec('modules_forge')\n"
                   "from . import __version__\n")
    assert host_probes(src) == ["line 2: .__version__", "line 3: _js=", "line 4: 'modules_forge'"]
