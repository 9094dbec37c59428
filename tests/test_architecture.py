"""The architecture stays visible: one HTTP module, one-way arrows, small files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
HTTP_LIBRARIES = {"gitlab", "requests", "urllib3", "httpx", "http.client", "urllib.request"}
HTTP_MODULES = {"pipeline.extract.gitlab.client"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PIPELINE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


MODULES = {_module_name(p): _imports(p) for p in sorted(PIPELINE.rglob("*.py"))}


def _reaches(imports: set[str], targets: set[str]) -> set[str]:
    return {i for i in imports for t in targets if i == t or i.startswith(t + ".")}


def test_only_the_http_edge_imports_http_libraries() -> None:
    offenders = {
        name: sorted(_reaches(imports, HTTP_LIBRARIES))
        for name, imports in MODULES.items()
        if name not in HTTP_MODULES
        and not name.startswith("pipeline.sim")
        and _reaches(imports, HTTP_LIBRARIES)
    }
    assert offenders == {}


def test_the_simulator_imports_nothing_from_the_pipeline() -> None:
    offenders = {
        name: sorted(
            i for i in imports if i.startswith("pipeline") and not i.startswith("pipeline.sim")
        )
        for name, imports in MODULES.items()
        if name.startswith("pipeline.sim")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize(
    ("stage", "forbidden"),
    [
        (
            "pipeline.marts.build",
            {"pipeline.extract.gitlab.client", "pipeline.cli", "pipeline.extract.command"},
        ),
        ("pipeline.marts.runner", {"pipeline.extract.gitlab.client", "pipeline.cli"}),
        (
            "pipeline.site.publish",
            {"pipeline.extract.gitlab.client", "pipeline.cli", "pipeline.extract.command"},
        ),
        (
            "pipeline.extract.command",
            {"pipeline.cli", "pipeline.marts.build", "pipeline.site.publish"},
        ),
        (
            "pipeline.preview.command",
            {"pipeline.extract.gitlab.client", "pipeline.cli", "pipeline.extract.command"},
        ),
    ],
)
def test_stages_do_not_reach_back(stage: str, forbidden: set[str]) -> None:
    assert stage in MODULES
    assert _reaches(MODULES[stage], forbidden) == set()


def test_no_stage_imports_the_cli() -> None:
    assert (
        sorted(
            n
            for n, imports in MODULES.items()
            if "pipeline.cli" in imports and n not in {"pipeline.__main__"}
        )
        == []
    )


def test_modules_stay_small() -> None:
    sizes = {
        _module_name(p): len(p.read_text(encoding="utf-8").splitlines())
        for p in PIPELINE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_only_the_entry_point_reads_the_environment() -> None:
    readers = sorted(
        _module_name(p)
        for p in PIPELINE.rglob("*.py")
        if ("os.environ" in (text := p.read_text(encoding="utf-8")) or "os.getenv" in text)
        and not _module_name(p).startswith("pipeline.sim")
    )
    # bench_procs hands the machine's environment (PATH, proxies) on to the processes it starts
    assert readers == ["pipeline.bench.procs", "pipeline.cli"]
