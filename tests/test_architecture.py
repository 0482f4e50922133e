"""The package's shape: the import graph read from the source, as a reviewer would draw it.

- no import cycle between modules of ``needs``;
- nothing in ``needs`` imports the command line (``needs.cli`` is a thin layer on top);
- an import inside a function is only for a heavy or optional third-party dependency, never
  for a module of ``needs`` (such imports hid the cycles this layout removed);
- every sub-package named after a pipeline stage exists and says in its docstring what it owns.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fixtures import ROOT

PACKAGE = ROOT / "needs"
STAGES = ("reference", "inputs", "methods", "assessment", "publish", "outputs", "scenarios", "synth", "cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(node: ast.Import | ast.ImportFrom, importer: str) -> list[str]:
    """The modules of ``needs`` that an import statement names (a name that is a sub-module
    counts as that module; any other name as the module it comes from)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == "needs"]
    if node.level:  # relative import
        package = importer.split(".")[: -node.level] if importer in MODULES else importer.split(".")
        base = ".".join(package + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    if base.split(".")[0] != "needs":
        return []
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]


def import_graph() -> tuple[dict[str, set[str]], list[tuple[str, str, int]]]:
    """Edges from each module to the ``needs`` modules it imports, and the imports found
    inside functions as (module, imported name, line)."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    in_functions: list[tuple[str, str, int]] = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        nested = {id(inner) for function in functions for inner in ast.walk(function)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = imported_modules(node, name)
            graph[name].update(target for target in targets if target in MODULES and target != name)
            if id(node) in nested:
                names = [alias.name for alias in node.names]
                module = node.module if isinstance(node, ast.ImportFrom) and node.module else names[0]
                in_functions.append((name, module if not targets else targets[0], node.lineno))
    return graph, in_functions


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a list of modules, or ``None`` (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


GRAPH, IN_FUNCTIONS = import_graph()


def test_the_graph_is_read_from_every_module():
    assert len(MODULES) > 40
    # a known edge, so that an empty graph cannot pass the tests below
    assert "needs.assessment.counting" in GRAPH["needs.assessment.capacity"]


def test_no_import_cycle():
    assert find_cycle(GRAPH) is None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_nothing_imports_the_command_line():
    importers = sorted(
        name
        for name, targets in GRAPH.items()
        if not name.startswith("needs.cli") and any(t == "needs.cli" or t.startswith("needs.cli.") for t in targets)
    )
    assert importers == []


def test_no_module_of_needs_is_imported_inside_a_function():
    inside = [(module, target, line) for module, target, line in IN_FUNCTIONS if target.split(".")[0] == "needs"]
    assert inside == []


def test_imports_inside_functions_are_commented_heavy_dependencies():
    """Each remaining import inside a function carries a comment saying why (heavy or optional)."""
    uncommented = []
    for module, target, line in IN_FUNCTIONS:
        lines = MODULES[module].read_text(encoding="utf-8").splitlines()
        nearby = " ".join(lines[max(0, line - 3) : line + 1]).lower()
        if "heavy" not in nearby and "optional" not in nearby:
            uncommented.append((module, target, line))
    assert uncommented == []


@pytest.mark.parametrize("stage", STAGES)
def test_every_pipeline_stage_is_a_documented_sub_package(stage):
    init = PACKAGE / stage / "__init__.py"
    assert init.is_file()
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert docstring and len(docstring) > 40
