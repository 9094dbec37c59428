"""`leaderboard bench`: extraction against the simulator, each in its own process, measured.

The simulator serves the "bench" organisation; a separate process generates the same dataset
to write the roster and count the necessary requests; the extractor runs as
`python -m pipeline extract` so its wall time and peak RSS are its own. Then two incremental
runs: with nothing changed, and after a simulated day of activity. It reports; it does not
judge (exit 0 unless something failed to run), but prints PASS/MISS for each bar.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from pipeline.bench.procs import (
    SEED,
    ChildRun,
    Sampler,
    SimProcess,
    bench_env,
    run_measured,
    start,
)
from pipeline.bench.report import (
    OFFSET_REQUESTS_BAR,
    REQUESTS_BAR,
    SMALL_CONSTANT,
    Measured,
    budget_bar,
    listing_lines,
    rate_bars,
    request_bar,
    rss_bar,
    run_lines,
    wall_bar,
)
from pipeline.bench.scenario import GROUP, Scenario, commit_pages, pages
from pipeline.config import Settings

log = logging.getLogger("leaderboard.bench")

#: One simulated day: this share of the live projects get commits, a new MR and issue, a merge
#: and a close; plus one new project with this much history.
DAY_SHARE = 0.1
NEW_PROJECT_PATH = f"{GROUP}/g01/p-new"
NEW_COMMITS, NEW_MRS, NEW_ISSUES = 20, 3, 3


def run_bench(
    settings: Settings,
    scale: float,
    latency_ms: float,
    workers: int | None,
    max_rpm: float | None,
    max_offset: int = 0,
) -> int:
    """Run the benchmark and print its report; 1 only when a run could not be measured.

    `max_offset` gives the simulator GitLab's maximum offset (rows); the extractor keeps its
    default LEADERBOARD_MAX_OFFSET and learns the lower one from the first 405, as it would on
    a real instance."""
    workers = workers or settings.workers
    # The simulated organisation ends a day before the present hour, so the simulated day of
    # activity ends at the present and every timestamp the extractor sees is in its past.
    hour = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    now = hour - dt.timedelta(days=1)
    since = (now - dt.timedelta(days=731)).date()  # the whole generated history
    with tempfile.TemporaryDirectory(prefix="leaderboard-bench-") as tmp:
        work = Path(tmp)
        scenario, sim = start(work, scale, latency_ms, max_rpm, now, since)
        with sim:
            if max_offset:
                sim.control("config", {"max_offset": max_offset})
            env = bench_env(sim, work, workers, since, settings)
            header = _header(scenario, scale, latency_ms, workers, max_rpm, now, since)
            print(header + _offset_note(scenario, max_offset), flush=True)
            runs = _runs(sim, env, work, scenario, latency_ms, workers, max_rpm, max_offset)
    failed = [m for m in runs if m.run.returncode != 0]
    return 1 if failed else 0


def _measure(
    sim: SimProcess, env: dict[str, str], work: Path, name: str, args: list[str]
) -> ChildRun:
    sim.reset()
    cpu_before = sim.cpu_seconds()
    sampler = Sampler(sim)
    sampler.start()
    try:
        run = run_measured(args, env, work, work / f"{name}.log")
    finally:
        timeline = sampler.stop()
    run.timeline = timeline
    run.server = sim.stats()
    cpu_after = sim.cpu_seconds()
    if cpu_before is not None and cpu_after is not None:
        run.server_cpu = cpu_after - cpu_before
    if run.returncode != 0:
        run.manifest = None  # the manifest on disk is the last good run's, not this one's
    return run


def _runs(
    sim: SimProcess,
    env: dict[str, str],
    work: Path,
    scenario: Scenario,
    latency_ms: float,
    workers: int,
    max_rpm: float | None,
    max_offset: int = 0,
) -> list[Measured]:
    full = Measured(
        "full extraction",
        _measure(sim, env, work, "full", ["extract", "--full"]),
        scenario.necessary,
        latency_ms,
        workers,
        max_rpm,
    )
    bar = OFFSET_REQUESTS_BAR if max_offset else REQUESTS_BAR
    full.bars = [request_bar(full, bar), *wall_bar(full), rss_bar(full)]
    if max_rpm:
        full.bars += rate_bars(full, max_rpm)
    _print(run_lines(full, scenario.rows))
    if full.run.manifest is not None:
        _print(listing_lines(full.run.manifest, scenario.commits_by_project))
    if full.run.returncode != 0:
        return [full]

    listed = len(scenario.commits_by_project)
    quiet_need = _incremental_need(scenario.projects, listed, mrs=0, issues=0)
    quiet_need["project_events"] = sum(pages(n) for n in scenario.event_tails)
    quiet = Measured(
        "incremental, no change",
        _measure(sim, env, work, "quiet", ["extract"]),
        quiet_need,
        latency_ms,
        workers,
        max_rpm,
    )
    # review credit may add two requests per project (its approval and comment events)
    limit = listed + scenario.group_listing_pages + 2 + SMALL_CONSTANT
    limit += quiet_need["project_events"]
    quiet.bars = [
        budget_bar(quiet, "one per project + group listings + a small constant + events", limit)
    ]
    _print(run_lines(quiet))
    if quiet.run.returncode != 0:
        return [full, quiet]

    day = _simulate_day(sim)
    day_need = _incremental_need(
        scenario.projects + 1,
        listed,
        mrs=day["projects"] + day["merged"] + NEW_MRS,
        issues=day["projects"] + day["closed"] + NEW_ISSUES,
    )
    day_need["merge_base"] = day["projects"]
    day_need["commits"] = day["projects"] + commit_pages(NEW_COMMITS)  # ranges of < 100
    # the tails again plus at most 2 new events a listing; the new project's two empty listings
    day_need["project_events"] = sum(pages(n + 2) for n in scenario.event_tails) + 2
    busy = Measured(
        "incremental, after a simulated day",
        _measure(sim, env, work, "day", ["extract"]),
        day_need,
        latency_ms,
        workers,
        max_rpm,
        note=(
            f"{day['projects']} projects got {day['commits']} commits, a new MR and issue each; "
            f"{day['merged']} MRs merged, {day['closed']} issues closed; 1 new project "
            f"({NEW_COMMITS} commits)"
        ),
    )
    busy.bars = [budget_bar(busy, "requests in proportion to the change", busy.necessary_total + 5)]
    _print(run_lines(busy))
    return [full, quiet, busy]


def _incremental_need(projects: int, listed: int, *, mrs: int, issues: int) -> dict[str, int]:
    """Version, group look-up, the group's listings, and one branch read per known project."""
    return {
        "version": 1,
        "group": 1,
        "group_projects": pages(projects),
        "group_merge_requests": pages(mrs),
        "group_issues": pages(issues),
        "branch": listed,
    }


def _simulate_day(sim: SimProcess) -> dict[str, Any]:
    """A day of work through the control routes; the clock moves a day forward first."""
    counts: dict[str, Any] = sim.mutate("simulate_activity", days=1, seed=SEED, share=DAY_SHARE)
    sim.mutate(
        "add_project", path=NEW_PROJECT_PATH, commits=NEW_COMMITS, mrs=NEW_MRS, issues=NEW_ISSUES
    )
    return counts


def _header(
    scenario: Scenario,
    scale: float,
    latency_ms: float,
    workers: int,
    max_rpm: float | None,
    now: dt.datetime,
    since: dt.date,
) -> str:
    rows = scenario.rows
    limit = f"server limit {max_rpm:g} requests/min" if max_rpm else "no rate limit"
    limit += " (users_get_by_id off)"
    return (
        f"leaderboard bench: scale {scale:g} ({scenario.projects} projects, {rows['commits']} "
        f"default-branch commits, {rows['merge_requests']} MRs, {rows['issues']} issues, "
        f"{scenario.roster}-person roster); latency {latency_ms:g} ms; {workers} workers; {limit}; "
        f"simulator now {now:%Y-%m-%dT%H:%MZ}, since {since}"
    )


def _offset_note(scenario: Scenario, max_offset: int) -> str:
    if not max_offset:
        return ""
    longest = scenario.longest_listing
    return (
        f"; server max offset {max_offset} rows for project discovery (GitLab refuses no other "
        f"listing; the longest, {longest} rows, is {longest / max_offset:.1f} x that)"
    )


def _print(lines: list[str]) -> None:
    for line in lines:
        print(line)
    sys.stdout.flush()
