"""`leaderboard bench --pipeline`: extract, build and publish the bench organisation, each as its
own measured process, then the sizes of what they wrote and the peaks they reached.

Reports the wall time and peak RSS of each command, the longest gap between extraction's
progress lines, `data/` as the extract job keeps it (raw, state, manifest; the
marts apart: the build job's), `public/` (the Pages site), the largest files of each, the page's
first load compressed, and the largest data file a drill-down loads. It reports; it does not
judge (exit 1 only when a command failed).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from pipeline.bench import sizes
from pipeline.bench.procs import ChildRun, bench_env, run_measured, start
from pipeline.bench.scenario import Scenario
from pipeline.bench.sizes import kb, mb
from pipeline.config import Settings

#: the commands, in order: (name, arguments)
COMMANDS = (("extract", ["extract", "--full"]), ("build", ["build"]), ("publish", ["publish"]))
#: what the extract job's artifact leaves out of data/: the build job's own
BUILD_OUTPUT = "marts"
#: what marks extract's progress lines (`extract/progress`)
PROGRESS = " listings done, "


def run_whole(settings: Settings, scale: float, latency_ms: float, workers: int | None) -> int:
    workers = workers or settings.workers
    # as the extraction benchmark: the organisation ends a day before the present hour
    hour = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    now = hour - dt.timedelta(days=1)
    since = (now - dt.timedelta(days=731)).date()
    with tempfile.TemporaryDirectory(prefix="leaderboard-bench-") as tmp:
        work = Path(tmp)
        scenario, sim = start(work, scale, latency_ms, None, now, since)
        with sim:
            env = bench_env(sim, work, workers, since, settings)
            _print([header(scenario, scale, latency_ms, workers)])
            for name, args in COMMANDS:
                run = run_measured(args, env, work, work / f"{name}.log", timed=name == "extract")
                _print(command_lines(name, run))
                if run.returncode != 0:
                    return 1
        _print(size_lines(work / "data", work / "public"))
    return 0


def header(scenario: Scenario, scale: float, latency_ms: float, workers: int) -> str:
    rows = scenario.rows
    return (
        f"leaderboard bench --pipeline: scale {scale:g} ({scenario.projects} projects, "
        f"{rows['commits']} default-branch commits, {rows['merge_requests']} MRs, "
        f"{rows['issues']} issues, {rows['events']} review events, {scenario.roster}-person "
        f"roster); latency {latency_ms:g} ms; {workers} workers"
    )


def command_lines(name: str, run: ChildRun) -> list[str]:
    line = f"{name:<10} {run.wall:.1f} s wall, peak RSS {run.peak_rss_mb:.0f} MB"
    line += f", CPU {run.cpu:.1f} s"
    if run.returncode != 0:
        return [line, f"           FAILED (exit {run.returncode}): {run.error_line()}"]
    if name != "extract":
        return [line]
    progress = sum(1 for _, text in run.lines if PROGRESS in text)
    total = (run.manifest or {}).get("requests", {}).get("total", "?")
    return [
        f"{line}; {total} requests",
        f"{'':<10} {progress} progress lines; longest gap between them (start and exit "
        f"included): {run.longest_gap(PROGRESS):.1f} s",
    ]


def size_lines(data: Path, public: Path) -> list[str]:
    kept = sizes.folder(data, leave_out=[BUILD_OUTPUT])
    parts = ", ".join(
        f"{name} {mb(sizes.folder(data / name).total if (data / name).is_dir() else 0)}"
        for name in ("raw", "state")
    )
    manifest = data / "manifest.json"
    parts += f", manifest {mb(manifest.stat().st_size if manifest.is_file() else 0)}"
    marts = sizes.folder(data / BUILD_OUTPUT)
    site = sizes.folder(public)
    first = sizes.first_load(public)
    sent = sum(sizes.compressed(path) for path in first)
    named = ", ".join(
        f"{path.relative_to(public.resolve()).as_posix()} {kb(sizes.compressed(path))}"
        for path in first
    )
    lines = [
        f"data/      {mb(kept.total)} in {kept.files} files, what the extract job keeps ({parts}); "
        f"data/marts/ {mb(marts.total)} in {marts.files} files (the build job's)",
        *_largest("data/", kept),
        f"public/    {mb(site.total)} in {site.files} files",
        *_largest("public/", site),
        f"first load {len(first)} files, {kb(sum(p.stat().st_size for p in first))}, "
        f"{kb(sent)} gzip ({named})",
    ]
    later = sizes.drill_down_largest(public, first)
    if later is None:
        lines.append("drill-down no data script is loaded later")
    else:
        name = later.relative_to(public).as_posix()
        size, sent = later.stat().st_size, sizes.compressed(later)
        lines.append(f"drill-down largest data file {name}: {mb(size)} ({mb(sent)} gzip)")
    return lines


def _largest(label: str, found: sizes.Folder) -> list[str]:
    cells = ", ".join(f"{path} {mb(size)}" for path, size in found.largest)
    return [f"{'':<10} largest in {label}: {cells}"]


def _print(lines: list[str]) -> None:
    for line in lines:
        print(line)
    sys.stdout.flush()
