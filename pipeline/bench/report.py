"""The benchmark's printed report: measured against necessary and ideal, PASS/MISS per bar."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.bench.procs import ChildRun, Timeline
from pipeline.bench.scenario import commit_pages

#: Issue 4's bars for the reference scenario and the rate-limit scenario.
REQUESTS_BAR = 1.05  # requests <= 1.05 x necessary
OFFSET_REQUESTS_BAR = 1.15  # issue 13: against a maximum offset, <= 1.15 x the unlimited minimum
WALL_BAR = 1.3  # wall <= 1.3 x ideal
RSS_BAR_MB = 400.0  # peak RSS < 400 MB
THROUGHPUT_BAR = 0.90  # >= 90% of the server's limit
REJECTED_BAR = 0.05  # <= 5% of requests answered 429
#: Issue 8: a no-change run costs one request per project, the group listings and this much more.
SMALL_CONSTANT = 5


@dataclass
class Bar:
    """One bar: what was measured, the limit, and whether it held."""

    name: str
    ok: bool
    text: str

    def line(self) -> str:
        return f"  {'PASS' if self.ok else 'MISS'}  {self.name}: {self.text}"


@dataclass
class Measured:
    """One extraction run as the report needs it."""

    label: str
    run: ChildRun
    necessary: dict[str, int]
    latency_ms: float
    workers: int
    max_rpm: float | None = None
    note: str = ""
    bars: list[Bar] = field(default_factory=list)

    @property
    def served(self) -> int:
        return int(self.run.server.get("requests", 0))

    @property
    def necessary_total(self) -> int:
        return sum(self.necessary.values())

    @property
    def ideal(self) -> float:
        """necessary x latency / workers; under a rate limit, at least necessary / limit."""
        latency_bound = self.necessary_total * self.latency_ms / 1000 / max(1, self.workers)
        rate_bound = self.necessary_total * 60 / self.max_rpm if self.max_rpm else 0.0
        return max(latency_bound, rate_bound)

    @property
    def rejected(self) -> int:
        return int(self.run.server.get("by_status", {}).get("429", 0))

    @property
    def seconds(self) -> float:
        """The extractor's own time when it logged it (no interpreter start-up), else wall."""
        return self.run.extract_seconds or self.run.wall


def ratio(value: float, base: float) -> str:
    return f"{value / base:.3f}" if base else "n/a"


def request_bar(m: Measured, bar: float = REQUESTS_BAR) -> Bar:
    limit = bar * m.necessary_total
    return Bar(
        f"requests <= {bar} x necessary",
        m.served <= limit,
        f"{m.served} <= {limit:.0f}",
    )


def wall_bar(m: Measured) -> list[Bar]:
    """No bar without latency: the ideal is zero and the wall is all local CPU."""
    if not m.ideal:
        return []
    limit = WALL_BAR * m.ideal
    return [
        Bar(
            f"wall <= {WALL_BAR} x ideal",
            m.run.wall <= limit,
            f"{m.run.wall:.1f} s <= {limit:.1f} s (process wall, interpreter start-up included)",
        )
    ]


def rss_bar(m: Measured) -> Bar:
    return Bar(
        f"peak RSS < {RSS_BAR_MB:.0f} MB",
        m.run.peak_rss_mb < RSS_BAR_MB,
        f"{m.run.peak_rss_mb:.0f} MB",
    )


def budget_bar(m: Measured, name: str, limit: int) -> Bar:
    return Bar(name, m.served <= limit, f"{m.served} <= {limit}")


def rate_bars(m: Measured, rpm: float) -> list[Bar]:
    """Throughput as a share of the server's limit, and the share of requests refused."""
    answered = m.served - m.rejected
    per_minute = answered / (m.seconds / 60) if m.seconds else 0.0
    share = per_minute / rpm
    refused = m.rejected / m.served if m.served else 0.0
    return [
        Bar(
            f"throughput >= {THROUGHPUT_BAR:.0%} of {rpm:g}/min",
            share >= THROUGHPUT_BAR,
            f"{per_minute:.0f}/min = {share:.1%} ({answered} answered in {m.seconds:.1f} s)",
        ),
        Bar(
            f"429s <= {REJECTED_BAR:.0%} of requests",
            refused <= REJECTED_BAR,
            f"{m.rejected} of {m.served} = {refused:.1%}",
        ),
    ]


def run_lines(m: Measured, expected_rows: dict[str, int] | None = None) -> list[str]:
    """The compact table for one run."""
    run, manifest = m.run, m.run.manifest or {}
    lines = [f"{m.label}{': ' + m.note if m.note else ''}"]
    if run.returncode != 0:
        lines.append(f"  FAILED (exit {run.returncode}): {run.error_line()}")
    rows = manifest.get("rows", {})
    if rows:
        parts = []
        for key, value in rows.items():
            want = (expected_rows or {}).get(key)
            parts.append(f"{key} {value}" + (f" (expected {want})" if want is not None else ""))
        lines.append("  items     " + ", ".join(parts))
    req = manifest.get("requests", {})
    lines.append(
        f"  requests  {m.served} served (manifest {req.get('total', '?')}), necessary "
        f"{m.necessary_total}, ratio {ratio(m.served, m.necessary_total)}"
    )
    own = f"; extractor's own {run.extract_seconds:.1f} s" if run.extract_seconds else ""
    sums = f"{m.necessary_total} x {m.latency_ms:g} ms / {m.workers}"
    if m.max_rpm:
        sums = f"max({sums}, {m.necessary_total} / {m.max_rpm:g} per min)"
    lines.append(
        f"  wall      {run.wall:.1f} s{own}; ideal {m.ideal:.1f} s ({sums}), "
        f"ratio {ratio(run.wall, m.ideal)}"
    )
    lines.append(f"  peak RSS  {run.peak_rss_mb:.0f} MB (extractor process)")
    sim_cpu = f", simulator {run.server_cpu:.1f} s" if run.server_cpu is not None else ""
    lines.append(f"  CPU       extractor {run.cpu:.1f} s{sim_cpu}")
    stats = run.server
    faults = sum(stats.get("faults", {}).values())
    lines.append(
        f"  retries {req.get('retried', '?')}, rate-limit waits {req.get('rate_limit_waits', '?')} "
        f"({req.get('seconds_waiting', '?')} s waiting), 429s {m.rejected}, faults {faults}, "
        f"405s past the maximum offset {stats.get('by_status', {}).get('405', 0)}, "
        f"peak in flight {stats.get('peak_in_flight', '?')}"
    )
    lines += route_lines(stats.get("by_route", {}), m.necessary)
    lines += events_lines(m, stats.get("by_route", {}))
    if run.timeline is not None and run.timeline.samples:
        lines += timeline_lines(run.timeline, m.workers, m.served)
    lines += [bar.line() for bar in m.bars]
    return lines


def events_lines(m: Measured, by_route: dict[str, int]) -> list[str]:
    """Review credit's listings apart: their requests, rows and share of the run."""
    manifest = m.run.manifest or {}
    listings = [e for e in manifest.get("listings", []) if str(e.get("what")).startswith("events")]
    served, need = by_route.get("project_events", 0), m.necessary.get("project_events", 0)
    if not (listings or served or need):
        return []
    rows = sum(int(e.get("rows", 0)) for e in listings)
    share = served / m.served if m.served else 0.0
    return [
        f"  events    {served} requests (necessary {need}, {share:.1%} of the run) for "
        f"{len(listings)} approval/comment listings, {rows} rows"
    ]


def route_lines(by_route: dict[str, int], necessary: dict[str, int]) -> list[str]:
    """Served against necessary per simulator route: where the requests went."""
    routes = sorted(set(by_route) | set(necessary), key=lambda r: (-by_route.get(r, 0), r))
    cells = [
        f"{r} {by_route.get(r, 0)}/{necessary.get(r, 0)}"
        for r in routes
        if by_route.get(r, 0) or necessary.get(r, 0)
    ]
    return _wrap("  by route  (served/necessary): ", cells)


def timeline_lines(timeline: Timeline, workers: int, served: int) -> list[str]:
    """When each route was served (seconds after the extractor started), how full the pool
    kept the server, and how long the server took per request (latency plus its own work)."""
    spans = sorted(timeline.spans().items(), key=lambda kv: (kv[1][0], kv[1][1]))
    cells = [f"{route} {a:.1f}-{b:.1f}" for route, (a, b) in spans]
    mean = timeline.mean_in_flight()
    first, last = timeline.samples[0][0], timeline.samples[-1][0]
    per_request = mean * (last - first) / served * 1000 if served else 0.0
    pool = (
        f"  pool      {mean:.1f} of {workers} requests in flight on average; "
        f"~{per_request:.0f} ms in the server per request"
    )
    return [pool, *_wrap("  timeline  busy from-to s: ", cells)]


def listing_lines(manifest: dict[str, Any], commits_by_project: dict[str, int]) -> list[str]:
    """Commit listings that took more pages than their rows need, worst first."""
    extra = []
    for listing in manifest.get("listings", []):
        path = listing.get("project")
        if listing.get("what") != "commits" or path not in commits_by_project:
            continue
        need = commit_pages(commits_by_project[path])
        if listing.get("pages", 0) > need:
            extra.append((listing["pages"] - need, path, listing["pages"], need))
    if not extra:
        return []
    extra.sort(reverse=True)
    cells = [f"{path} {got}/{need}" for _, path, got, need in extra[:10]]
    return _wrap("  commit listings over budget (pages/necessary): ", cells)


def _wrap(head: str, cells: Iterable[str], width: int = 100) -> list[str]:
    """`head` then the cells, comma-separated, continued on lines indented like the tables."""
    lines, line = [], head
    for cell in cells:
        if len(line) + len(cell) + 2 > width and line.strip() != head.strip():
            lines.append(line.rstrip(", "))
            line = " " * 12
        line += cell + ", "
    lines.append(line.rstrip(", "))
    return lines
