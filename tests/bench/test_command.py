"""`leaderboard bench` at a tiny scale: the report has every field, and the numbers add up."""

from __future__ import annotations

import re

import pytest

from pipeline.cli import main

ROW_KEYS = ("commits", "merge_requests", "issues", "projects", "users")


def bench(capsys: pytest.CaptureFixture[str], *flags: str) -> str:
    assert main(["bench", "--scale", "0.01", "--latency-ms", "0", "--workers", "4", *flags]) == 0
    return capsys.readouterr().out


def sections(out: str) -> dict[str, str]:
    """The report split at its run headings."""
    names = ["full extraction", "incremental, no change", "incremental, after a simulated day"]
    found = {}
    for name, after in zip(names, [*names[1:], None], strict=True):
        start = out.index(name)
        found[name] = out[start : out.index(after) if after else None]
    return found


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in:\n{text}"
    return float(match.group(1))


def served_and_necessary(text: str) -> tuple[int, int, int]:
    match = re.search(r"requests  (\d+) served \(manifest (\d+)\), necessary (\d+), ratio", text)
    assert match, text
    served, manifest, necessary = (int(g) for g in match.groups())
    return served, manifest, necessary


def by_route(text: str) -> dict[str, tuple[int, int]]:
    block = text[text.index("by route") :]
    return {r: (int(a), int(b)) for r, a, b in re.findall(r"(\w+) (\d+)/(\d+)", block)}


def test_bench_reports_items_requests_time_memory_and_incremental_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = bench(capsys)
    head = out.splitlines()[0]
    assert head.startswith("leaderboard bench: scale 0.01 (3 projects, ")
    assert "latency 0 ms; 4 workers; no rate limit" in head
    parts = sections(out)

    full = parts["full extraction"]
    for key in ROW_KEYS:  # the extraction found exactly what the simulator holds
        got = number(rf"{key} (\d+) \(expected", full)
        assert got == number(rf"{key} \d+ \(expected (\d+)\)", full), key
    served, manifest, necessary = served_and_necessary(full)
    assert served == manifest  # the server's count and the extractor's own agree
    assert served >= necessary > 0
    routes = by_route(full)
    assert sum(n for n, _ in routes.values()) == served
    assert sum(need for _, need in routes.values()) == necessary
    # `/users?username=` only for roster names no extracted item names: maybe none here
    assert {"version", "group", "group_projects", "commits", "user"} <= set(routes)
    for route, (got, need) in routes.items():
        assert got >= need, route
    assert number(r"peak RSS  (\d+) MB", full) > 0
    assert number(r"wall      ([0-9.]+) s", full) > 0
    assert re.search(r"retries \d+, rate-limit waits \d+ \([0-9.]+ s waiting\), 429s 0", full)
    assert re.search(r"(PASS|MISS)  requests <= 1.05 x necessary: \d+ <= \d+", full)
    assert re.search(r"(PASS|MISS)  peak RSS < 400 MB", full)
    assert "wall <= 1.3 x ideal" not in full  # no latency, no ideal to compare with

    quiet = parts["incremental, no change"]
    served, manifest, necessary = served_and_necessary(quiet)
    assert served == manifest and served >= necessary
    assert by_route(quiet)["branch"][1] == 3  # one branch read per project is the budget
    assert re.search(r"(PASS|MISS)  one per project \+ group listings", quiet)

    day = parts["incremental, after a simulated day"]
    assert re.search(r": \d+ projects got \d+ commits, .* 1 new project \(20 commits\)", day)
    served, manifest, necessary = served_and_necessary(day)
    assert served == manifest and served >= necessary
    assert number(r"projects (\d+)", day) == 4  # the new project was found
    assert by_route(day)["merge_base"][1] >= 1


@pytest.mark.slow
def test_bench_under_a_server_rate_limit_reports_throughput_and_429s(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = bench(capsys, "--max-rpm", "1200")
    assert "server limit 1200 requests/min" in out.splitlines()[0]
    full = sections(out)["full extraction"]
    assert re.search(r"(PASS|MISS)  throughput >= 90% of 1200/min: \d+/min = ", full)
    assert re.search(r"(PASS|MISS)  429s <= 5% of requests: \d+ of \d+ = ", full)
