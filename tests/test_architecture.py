"""The layers of DESIGN.md hold in the imports: data flows one way and nothing imports in a circle.

domain/ (vocabulary, no I/O) ← index/ (load → clean → tag → read → store) ← assistant/ (answering)
← ui/ (the app). A module may import from its own layer or the layers below it, never above; and
no set of modules imports each other in a cycle, whether the import is at the top or inside a
function.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = ("config", "domain", "index", "assistant", "ui")  # lowest first
BELOW = {layer: set(LAYERS[: i + 1]) for i, layer in enumerate(LAYERS)}
BELOW["domain"] = {"domain"}  # the domain reads no settings: it is pure vocabulary
BELOW["config"] = {"config"}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    paths = [REPO / "config.py"]
    for package in LAYERS[1:]:
        paths += sorted((REPO / package).rglob("*.py"))
    return {module_name(p): p for p in paths}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Project modules ``path`` imports anywhere (top level, functions, TYPE_CHECKING blocks)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
            found |= {n for n in [node.module, *names] if n in known}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
    return found


@cache
def import_graph(type_checking: bool) -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    graph = {}
    for name, path in modules.items():
        deps = imports_of(path, known)
        if not type_checking:
            deps -= type_checking_imports(path, known)
        graph[name] = deps - {name}
    return graph


def type_checking_imports(path: Path, known: set[str]) -> set[str]:
    """Imports made only for type checkers (``if TYPE_CHECKING:``): they never run."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                if isinstance(inner, ast.ImportFrom) and inner.module:
                    names = [f"{inner.module}.{a.name}" for a in inner.names]
                    found |= {n for n in [inner.module, *names] if n in known}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_real_imports():
    graph = import_graph(type_checking=True)
    assert "index.models" in graph["index.pipeline"]
    assert any(d.startswith("index") for d in graph["assistant.api"])


def test_a_built_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    assert cycles(import_graph(type_checking=False)) == []


@pytest.mark.parametrize("layer", LAYERS)
def test_no_layer_imports_a_layer_above_it(layer):
    graph = import_graph(type_checking=True)
    upward = [
        (module, dep)
        for module, deps in graph.items()
        if module.split(".")[0] == layer
        for dep in deps
        if dep.split(".")[0] not in BELOW[layer]
    ]
    assert upward == []
