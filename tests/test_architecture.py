"""The architecture stays visible: rooms by stage, imports downward, one HTTP module, small files.

The room table below is the one in docs/internals.md (a test keeps the two equal). Every import is
read with ast, lazy ones and `if TYPE_CHECKING:` ones included, so no cycle hides in a function.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = ROOT / "pipeline"
HTTP_LIBRARIES = {"gitlab", "requests", "urllib3", "httpx", "http.client", "urllib.request"}
HTTP_MODULES = {"pipeline.extract.gitlab.client"}

#: Modules directly in pipeline/: what every stage shares, and the entry points above them all.
SHARED = {"pipeline", "pipeline.config", "pipeline.errors", "pipeline.privacy", "pipeline.schema"}
SHARED |= {"pipeline.metrics", "pipeline.times", "pipeline.budget", "pipeline.env"}
ENTRY = {"pipeline.__main__", "pipeline.cli", "pipeline.demo"}

#: room -> the rooms it may import (besides itself). Keep equal to docs/internals.md's table.
ALLOWED: dict[str, set[str]] = {
    "shared": set(),
    "roster": {"shared"},
    "extract/gitlab": {"shared"},
    "extract/store": {"shared"},
    "extract": {"shared", "roster", "extract/gitlab", "extract/store"},
    "validate": {"shared", "roster", "extract", "extract/gitlab", "extract/store"},
    "marts": {"shared", "roster"},
    "site": {"shared", "roster"},
    "preview": {"shared", "roster", "marts", "extract/gitlab"},
    "bench": {"shared", "sim", "sim/org"},
    "sim/org": set(),
    "sim": {"sim/org"},
}
ROOMS = [*ALLOWED, "entry"]
MAX_TOP_LEVEL = 12  # the entry points and the shared modules, `env` (config's parsers) the last
MAX_ROOM = 16  # extract/: five GitLab resources, their helpers, the listing machinery
MAX_LINES = 350


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {_module_name(p): p for p in sorted(PIPELINE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every module this file names in an import, `from pipeline import x` read as pipeline.x."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(
                f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in FILES
            )
    return names


MODULES = {name: _imports(path) for name, path in FILES.items()}


def _internal(imports: set[str]) -> set[str]:
    """The pipeline modules among `imports` (a name below a module counts as that module)."""
    found = set()
    for name in imports:
        while name and name not in FILES:
            name = name.rpartition(".")[0]
        if name.startswith("pipeline"):
            found.add(name)
    return found


def room_of(module: str) -> str:
    if module in SHARED:
        return "shared"
    if module in ENTRY:
        return "entry"
    package = module if FILES[module].name == "__init__.py" else module.rpartition(".")[0]
    room = package.removeprefix("pipeline.").replace(".", "/")
    assert room in ALLOWED, f"{module} is in no room of the table; add {room!r} to ALLOWED and docs"
    return room


def _reaches(imports: set[str], targets: set[str]) -> set[str]:
    return {i for i in imports for t in targets if i == t or i.startswith(t + ".")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, set()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_is_in_a_room() -> None:
    assert {m: room_of(m) for m in FILES}  # room_of fails on a module outside the table


@pytest.mark.parametrize("room", list(ALLOWED))
def test_rooms_import_only_what_the_table_allows(room: str) -> None:
    offenders = {
        module: sorted(
            target for target in _internal(imports) if room_of(target) not in ALLOWED[room] | {room}
        )
        for module, imports in MODULES.items()
        if room_of(module) == room
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_import_cycle_between_modules() -> None:
    graph = {m: _internal(imports) - {m} for m, imports in MODULES.items()}
    assert _cycles(graph) == []


def test_no_import_cycle_between_rooms() -> None:
    graph: dict[str, set[str]] = {}
    for module, imports in MODULES.items():
        targets = {room_of(t) for t in _internal(imports)} - {room_of(module)}
        graph.setdefault(room_of(module), set()).update(targets)
    assert _cycles(graph) == []


def test_only_the_entry_points_import_the_entry_points() -> None:
    importers = {
        m: sorted(_internal(imports) & ENTRY)
        for m, imports in MODULES.items()
        if m not in ENTRY and _internal(imports) & ENTRY
    }
    assert importers == {}


def test_only_the_http_edge_imports_http_libraries() -> None:
    offenders = {
        name: sorted(_reaches(imports, HTTP_LIBRARIES))
        for name, imports in MODULES.items()
        if name not in HTTP_MODULES
        and not name.startswith("pipeline.sim")
        and _reaches(imports, HTTP_LIBRARIES)
    }
    assert offenders == {}
    assert all(_reaches(MODULES[m], {"gitlab", "requests"}) for m in HTTP_MODULES)


def test_the_simulator_imports_nothing_from_the_pipeline() -> None:
    offenders = {
        name: sorted(
            i for i in imports if i.startswith("pipeline") and not i.startswith("pipeline.sim")
        )
        for name, imports in MODULES.items()
        if name.startswith("pipeline.sim")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_stage_packages_say_what_they_take_and_give_and_import_nothing() -> None:
    for init in PIPELINE.glob("*/**/__init__.py"):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{init} has no docstring"
        if not _module_name(init).startswith("pipeline.sim"):  # sim exports its server
            assert _imports(init) == set(), f"{init} imports; keep stage packages empty"


def test_modules_stay_small() -> None:
    sizes = {name: len(p.read_text(encoding="utf-8").splitlines()) for name, p in FILES.items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_rooms_stay_small() -> None:
    top = sorted(p.name for p in PIPELINE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top
    for package in [p.parent for p in PIPELINE.glob("*/**/__init__.py")]:
        modules = sorted(p.name for p in package.glob("*.py"))
        assert len(modules) <= MAX_ROOM, (package, modules)


def test_only_the_entry_point_reads_the_environment() -> None:
    readers = sorted(
        name
        for name, p in FILES.items()
        if ("os.environ" in (text := p.read_text(encoding="utf-8")) or "os.getenv" in text)
        and not name.startswith("pipeline.sim")
    )
    # bench.procs hands the machine's environment (PATH, proxies) on to the processes it starts
    assert readers == ["pipeline.bench.procs", "pipeline.cli"]


def _doc_table() -> dict[str, tuple[set[str], set[str]]]:
    """docs/internals.md's room table: room -> (its modules, the rooms it may import)."""
    text = (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
    table: dict[str, tuple[set[str], set[str]]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not (room := re.fullmatch(r"`([\w/]+?)/?`", cells[0])):
            continue
        modules = set(re.findall(r"`([\w.]+)`", cells[2]))
        may = {r.rstrip("/") for r in re.findall(r"`([\w/]+)`", cells[3])}
        if cells[3] == "every room":
            may = set(ROOMS) - {room[1]}
        table[room[1]] = (modules, may)
    return table


def test_the_docs_table_is_the_import_rule_and_the_tree() -> None:
    table = _doc_table()
    assert set(table) == set(ROOMS)
    assert {room: may for room, (_, may) in table.items() if room != "entry"} == ALLOWED
    assert table["entry"][1] == set(ROOMS) - {"entry"}
    actual: dict[str, set[str]] = {room: set() for room in ROOMS}
    for module, path in FILES.items():
        if path.name != "__init__.py":
            actual[room_of(module)].add(module.rpartition(".")[2])
    assert {room: modules for room, (modules, _) in table.items()} == actual
