"""`leaderboard bench --pipeline` at a tiny scale: every line of the report, numbers that add up
with what the commands left on disk."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from pipeline.bench import sizes
from pipeline.bench.procs import ChildRun
from pipeline.bench.whole import PROGRESS
from pipeline.cli import main
from pipeline.schema import MARTS

#: the report's lines, in order, each as a pattern (numbers captured where the test checks them)
LINES = [
    r"leaderboard bench --pipeline: scale 0\.01 \(3 projects, \d+ default-branch commits, \d+ MRs, "
    r"\d+ issues, \d+ review events, \d+-person roster\); latency 0 ms; 4 workers",
    r"extract    [0-9.]+ s wall, peak RSS \d+ MB, CPU [0-9.]+ s; (\d+) requests",
    r" +(\d+) progress lines; longest gap between them \(start and exit included\): ([0-9.]+) s",
    r"build      [0-9.]+ s wall, peak RSS (\d+) MB, CPU [0-9.]+ s",
    r"publish    [0-9.]+ s wall, peak RSS (\d+) MB, CPU [0-9.]+ s",
    r"data/      [0-9.]+ MB in (\d+) files, what the extract job keeps \(raw [0-9.]+ MB, state "
    r"[0-9.]+ MB, manifest [0-9.]+ MB\); data/marts/ [0-9.]+ MB in (\d+) files \(the build job's\)",
    r" +largest in data/: raw/.+\.parquet [0-9.]+ MB, .+",
    r"public/    [0-9.]+ MB in (\d+) files",
    r" +largest in public/: data/.+ [0-9.]+ MB, .+",
    r"first load (\d+) files, \d+ KB, \d+ KB gzip \(index\.html \d+ KB, .+\)",
    r"drill-down largest data file data/.+\.js: [0-9.]+ MB \([0-9.]+ MB gzip\)",
]


def test_the_whole_pipeline_report(capsys: pytest.CaptureFixture[str]) -> None:
    flags = ["--scale", "0.01", "--latency-ms", "0", "--workers", "4"]
    assert main(["bench", "--pipeline", *flags]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(LINES), out
    found = [re.fullmatch(pattern, line) for pattern, line in zip(LINES, out, strict=True)]
    assert all(found), [line for line, match in zip(out, found, strict=True) if not match]
    groups = [m.groups() for m in found if m]
    assert int(groups[1][0]) > 0  # requests
    assert float(groups[2][1]) > 0  # no progress line in so short a run: its whole wall time
    assert int(groups[5][1]) == len(MARTS) + 1  # every mart and build.json
    assert int(groups[9][0]) >= 3  # index.html, a script and a stylesheet at least


def test_bench_pipeline_refuses_the_extraction_knobs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--pipeline", "--max-rpm", "60"]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: bench --pipeline takes --scale, --latency-ms and --workers only"
    )


def test_sizes_of_a_site(tmp_path: Path) -> None:
    public = tmp_path / "public"
    (public / "assets").mkdir(parents=True)
    (public / "data" / "people").mkdir(parents=True)
    (public / "index.html").write_text(
        '<link rel="stylesheet" href="assets/s.css"><link rel="canonical" href="x.html">'
        '<script src="data/board.js"></script><script src="https://cdn.example/x.js"></script>'
        '<img src="assets/logo%20a.svg">',
        encoding="utf-8",
    )
    for name, size in [
        ("assets/s.css", 10),
        ("assets/logo a.svg", 5),
        ("data/board.js", 300),
        ("data/people/a.js", 7000),
        ("data/people/b.js", 9000),
        ("x.html", 1),
    ]:
        (public / name).write_bytes(b"a" * size)  # fmt: skip
    (public / "data" / "people" / "b.js.gz").write_bytes(gzip.compress(b"a" * 9000))
    first = sizes.first_load(public)
    assert [p.relative_to(public.resolve()).as_posix() for p in first] == [
        "index.html", "assets/s.css", "data/board.js", "assets/logo a.svg",
    ]  # fmt: skip
    later = sizes.drill_down_largest(public, first)
    assert later == public / "data" / "people" / "b.js"
    assert sizes.compressed(later) == (public / "data" / "people" / "b.js.gz").stat().st_size
    assert sizes.compressed(public / "data" / "board.js") == len(
        gzip.compress(b"a" * 300, 6, mtime=0)
    )
    site = sizes.folder(public, leave_out=["data/people"], top=2)
    assert (site.files, site.largest) == (5, [("data/board.js", 300), ("index.html", 195)])


def test_the_longest_gap_counts_progress_lines_only_from_start_to_exit() -> None:
    run = ChildRun(0, 50.0, 100.0, 1.0, "", None)
    run.lines = [(20.0, "extract 20s: 1/9 listings done, 3 requests"), (30.0, "warning: x"),
                 (41.0, "extract 41s: 5/9 listings done, 9 requests")]  # fmt: skip
    assert run.longest_gap(PROGRESS) == 21.0
    assert ChildRun(0, 12.5, 100.0, 1.0, "", None).longest_gap(PROGRESS) == 12.5
