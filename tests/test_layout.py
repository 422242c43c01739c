"""The module layout shows the pipeline: no import circles, no stage importing a later one.

Every ``import`` in extractor/ counts, at module level and inside functions alike (a
function-level import hides a circle, it does not remove it); only the imports under
``if TYPE_CHECKING:`` are left out, as Python never runs them. ``JIYAO_LAYOUT_DIR`` points
the test at another package directory (say the ``extractor/`` of an older checkout).
"""
import ast
import os
from pathlib import Path

from .conftest import ROOT

PACKAGE = Path(os.environ.get("JIYAO_LAYOUT_DIR", ROOT / "extractor"))

STAGES = ("source", "normalise", "segment", "people", "fields", "lists", "render")
"""The pipeline, in order: read -> normalise -> segment -> people -> fields -> lists -> render."""


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return isinstance(t, ast.Name) and t.id == "TYPE_CHECKING" or \
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"


def _imports(tree: ast.AST, here: str, modules: set[str], is_package: bool) -> set[str]:
    """The package modules ``here`` imports anywhere (module level or in functions)."""
    found: set[str] = set()
    base = here.split(".") if is_package else here.split(".")[:-1]
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                pkg = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(pkg + ([node.module] if node.module else []))
            elif node.module and (node.module == "extractor" or node.module.startswith("extractor.")):
                prefix = node.module.removeprefix("extractor").lstrip(".")
            else:
                continue
            for alias in node.names:   # `from . import x` and `from .x import y` alike
                sub = f"{prefix}.{alias.name}" if prefix else alias.name
                targets.append(sub if sub in modules else prefix)
        elif isinstance(node, ast.Import):
            targets = [a.name.removeprefix("extractor.") for a in node.names if a.name.startswith("extractor.")]
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t and t != here:
                found.add(t)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files) - {""}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        if not name:    # the package's __init__: the public API imports whatever it shows
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = _imports(tree, name, modules, path.name == "__init__.py")
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_stages_are_modules():
    graph = import_graph()
    assert [s for s in STAGES if s not in graph] == []


def test_no_import_circles():
    assert _cycles(import_graph()) == []


def test_no_stage_imports_a_later_stage():
    graph = import_graph()
    order = {s: i for i, s in enumerate(STAGES)}
    wrong = [f"{a} imports {b}" for a in STAGES for b in sorted(graph.get(a, ()))
             if b in order and order[b] > order[a]]
    assert wrong == []


def test_circles_are_found_at_any_depth():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from .b import x\nif TYPE_CHECKING:\n    from .c import y\n")
    assert _imports(tree, "a", {"a", "b", "c"}, False) == {"b"}
