"""The import graph of ``src/cathode_lca``: no module cycles, and packages import only downwards.

The graph is read from the source with :mod:`ast` (nothing is imported): every ``import`` and
``from ... import`` of a ``cathode_lca`` module counts, at module level or inside a function (a lazy
import is still a dependency). Imports under ``if TYPE_CHECKING:`` do not count: they never run.
The layers are drawn in ``docs/architecture.md``; :data:`LAYERS` is the same picture.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cathode_lca"

#: Lowest first. A module may import from its own layer and from any layer below it, never above.
#: ``foundation`` holds the top-level helpers every layer may use (errors, YAML, units, files).
LAYERS: list[set[str]] = [
    {"__init__", "errors", "_yaml", "units", "resources", "io", "extras", "result_warnings", "result_kinds", "system"},
    {"inventory", "methods"},
    {"parameters"},
    {"engine"},
    {"lca", "quality"},
    {"catalogue", "documents"},
    {"allocation", "balances", "comparison", "scenario_apply", "exchange"},
    {"passport", "uncertainty", "brightway", "report"},
    {"cli"},
]

#: Package-level imports against the layer order that are known and not yet moved, each with why.
#: Empty: none is allowed. An entry added here must say why; the test fails when it disappears.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_package)
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Ids of the nodes under ``if TYPE_CHECKING:`` (they never run)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
            if name == "TYPE_CHECKING":
                for child in node.body:
                    skip.update(id(n) for n in ast.walk(child))
    return skip


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, modules: dict) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names if a.name.split(".")[0] == "cathode_lca"]
    else:
        if node.level == 0:
            base = node.module or ""
            if base.split(".")[0] != "cathode_lca":
                return []
        else:
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
    out = []
    for name in names:
        while name not in modules:  # an attribute of a module: the module
            name = name.rsplit(".", 1)[0]
        out.append(name)
    return out


@cache
def import_graph() -> dict[str, set[str]]:
    """``{module: modules it imports}`` for every module of the package (parsed once per process; read-only)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skip = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skip:
                graph[module].update(t for t in _targets(module, is_package, node, modules) if t != module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def package_of(module: str) -> str:
    """``cathode_lca.inventory.load`` → ``inventory``; ``cathode_lca`` → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(package: str) -> int:
    for level, packages in enumerate(LAYERS):
        if package in packages:
            return level
    raise AssertionError(f"package '{package}' is in no layer: add it to LAYERS and docs/architecture.md")


def upward_imports(graph: dict[str, set[str]]) -> dict[tuple[str, str], list[str]]:
    """``{(package, higher package): ['module -> module', ...]}`` for every import against the layers."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, targets in graph.items():
        for target in targets:
            a, b = package_of(source), package_of(target)
            if a != b and layer_of(b) > layer_of(a):
                out[(a, b)].append(f"{source} -> {target}")
    return dict(out)


# ---------------------------------------------------------------------------------------------
# the checker itself, on small hand-made graphs (so that a broken checker cannot pass silently)


def test_cycle_finder_on_known_graphs():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"b"}}) == []
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}) == [["a", "b"], ["c", "d"]]


def test_upward_finder_on_a_known_graph():
    graph = {"cathode_lca.inventory.x": {"cathode_lca.cli.app", "cathode_lca.errors"}, "cathode_lca.cli.app": set()}
    assert upward_imports(graph) == {("inventory", "cli"): ["cathode_lca.inventory.x -> cathode_lca.cli.app"]}


def test_graph_reads_relative_lazy_and_type_checking_imports():
    graph = import_graph()
    # relative, module level: cli.app imports the command modules
    assert "cathode_lca.cli.inventory" in graph["cathode_lca.cli.app"]
    # lazy (inside a function): the compute command imports the methods
    assert "cathode_lca.methods" in graph["cathode_lca.cli.inventory"]
    # under TYPE_CHECKING only: passport.report names Declaration in annotations only
    assert "cathode_lca.passport.declaration" not in graph["cathode_lca.passport.report"]


# ---------------------------------------------------------------------------------------------
# the package


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_packages_import_only_downwards():
    found = upward_imports(import_graph())
    unexpected = {k: v for k, v in found.items() if k not in KNOWN_UPWARD}
    assert unexpected == {}, "imports against the layers (see docs/architecture.md)"


def test_every_known_exception_is_still_needed():
    found = upward_imports(import_graph())
    gone = [edge for edge in KNOWN_UPWARD if edge not in found]
    assert gone == [], "gone: remove them from KNOWN_UPWARD and docs/architecture.md"


def test_brightway_and_passport_commands_do_not_import_each_other_or_the_cli_group():
    graph = import_graph()
    for module in ("cathode_lca.cli.brightway", "cathode_lca.cli.passport", "cathode_lca.cli.report"):
        others = {"cathode_lca.cli.brightway", "cathode_lca.cli.passport", "cathode_lca.cli.app"} - {module}
        assert not graph[module] & others, module


def test_no_module_over_700_lines():
    long = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py") if (n := len(p.read_text().splitlines())) > 700}
    assert long == {}
