"""`leaderboard extract`: GitLab -> data/raw, data/state, data/manifest.json, all or nothing."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import budget, schema
from pipeline.config import Settings
from pipeline.extract.extraction import Extraction
from pipeline.extract.gitlab.client import GitLabClient
from pipeline.extract.projects import Planner
from pipeline.extract.scheduler import Scheduler
from pipeline.extract.store import staging
from pipeline.extract.store.manifest import (
    MANIFEST_FILE,
    build_manifest,
    new_run_id,
    run_tag,
    write_manifest,
)
from pipeline.extract.store.state import State, UserCache, read_state, read_users, write_state
from pipeline.extract.store.writer import write_table
from pipeline.extract.users import UserResolver
from pipeline.roster.teams import Roster, read_roster

log = logging.getLogger("leaderboard.extract")


@dataclass
class ExtractResult:
    """The manifest written, plus what the benchmark wants to know beyond it."""

    manifest: dict[str, Any]
    stats: dict[str, Any]
    seconds: float
    fetched_ahead: int = 0
    overshoot: int = 0
    users_looked_up: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def run_extract(settings: Settings) -> dict[str, Any]:
    """Extract and return the manifest (see ARCHITECTURE.md, Manifest)."""
    return extract(settings).manifest


def extract(settings: Settings) -> ExtractResult:
    """One extraction into a staging folder, swapped into `settings.extract_dir` on success."""
    url, token = settings.require_gitlab()
    clock = time.monotonic()
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = settings.extract_dir
    roster = read_roster(settings.teams_file) if settings.node_index == 1 else None
    previous = read_state(out / "state")
    mode = choose_mode(settings, previous, started)
    if mode == "incremental" and not _raw_intact(out, previous):
        log.warning("data/state has no matching data/raw (was it restored alone?): running full")
        mode = "full"
    run_id = new_run_id(started)
    tag = run_tag(run_id)
    stage = staging.prepare(out, tag)
    try:
        with GitLabClient(settings, base_url=url, token=token) as client:
            ex = Extraction(
                settings=settings,
                client=client,
                mode=mode,
                previous=previous if mode == "incremental" else None,
                staging_raw=stage / "raw",
                run_tag=tag,
                extracted_at=started,
            )
            version = client.version()
            scheduler = Scheduler(settings.workers, client.cancel)
            planner = Planner(ex)
            users = (
                UserResolver(ex, roster.usernames, read_users(out / "state"), roster_lines(roster))
                if roster
                else None
            )
            # users are looked up once the MR, issue and event listings are done (their items
            # carry the ids of users GitLab's username search hides), beside the commits' tail
            gate = [users.gate(lambda: planner.planned)] if users else []
            for source in [*planner.start(), *gate]:
                scheduler.add(source)
            scheduler.run()
            if users and users.deferred:
                for source in users.deferred:
                    scheduler.add(source)
                scheduler.run()
            manifest = _finish(ex, users, previous, run_id, started, url, version, stage)
            stats = client.stats.as_dict()
        budget.check_extract(settings, stage, out)  # what the job uploads, before it replaces
        staging.swap(out, stage, tag)
    except BaseException:
        staging.discard(stage)
        raise
    result = _result(ex, manifest, stats, time.monotonic() - clock, scheduler, users)
    _summary(result, out)
    return result


def _result(
    ex: Extraction,
    manifest: dict[str, Any],
    stats: dict[str, Any],
    seconds: float,
    scheduler: Scheduler,
    users: UserResolver | None,
) -> ExtractResult:
    busy = scheduler.busy_seconds / max(1e-9, scheduler.seconds) / scheduler.workers
    return ExtractResult(
        manifest=manifest,
        stats=stats,
        seconds=seconds,
        fetched_ahead=sum(listing.fetched_ahead for listing in ex.listings),
        overshoot=sum(listing.overshoot for listing in ex.listings),
        users_looked_up=users.looked_up if users else 0,
        extra={"pool_busy": round(busy, 3), "speculative_requests": scheduler.speculative_requests},
    )


def roster_lines(roster: Roster) -> dict[str, str]:
    """Each username's first teams.csv line as `FILE:LINE:username`, for warnings."""
    lines: dict[str, str] = {}
    for membership in roster.memberships:
        lines.setdefault(membership.username, f"{roster.path}:{membership.line}:username")
    return lines


def _raw_intact(out: Path, previous: State | None) -> bool:
    """An incremental run builds on data/raw: every folder the state speaks of must be there."""
    if previous is None or not (out / MANIFEST_FILE).exists():
        return False
    raw = out / "raw"
    folders = [raw / "commits" / f"p{pid}" for pid in previous.heads]
    folders += [raw / key for key in previous.watermarks]
    return (raw / "projects" / "projects.parquet").exists() and all(f.is_dir() for f in folders)


def choose_mode(settings: Settings, previous: State | None, now: dt.datetime) -> str:
    """Full on --full / LEADERBOARD_FULL_REFRESH, on the first run, when the last full run is
    older than LEADERBOARD_FULL_REFRESH_DAYS, when the scope changed, or when LEADERBOARD_SINCE
    now reaches further back than the data does (a later since, such as the default rolling
    forward a day, needs nothing new)."""
    if settings.full_refresh or previous is None:
        return "full"
    age = now - previous.last_full_refresh
    if age >= dt.timedelta(days=settings.full_refresh_days):
        days = age.total_seconds() / 86400
        log.info("last full extraction is %.1f days old: running a full one", days)
        return "full"
    if previous.scope != _scope(settings):
        log.info("LEADERBOARD_GROUPS/PROJECTS changed since the last run: running a full one")
        return "full"
    if settings.since < dt.date.fromisoformat(previous.since):
        log.info("LEADERBOARD_SINCE is earlier than the data reaches: running a full one")
        return "full"
    return "incremental"


def _scope(settings: Settings) -> dict[str, list[str]]:
    return {"groups": list(settings.groups), "projects": list(settings.projects)}


def _finish(
    ex: Extraction,
    users: UserResolver | None,
    previous: State | None,
    run_id: str,
    started: dt.datetime,
    url: str,
    version: str,
    stage: Path,
) -> dict[str, Any]:
    """Write projects, users, carried-over parts, state and manifest into the staging folder."""
    raw = ex.staging_raw
    projects = [info.row for _, info in sorted(ex.projects.items())]
    write_table(raw / "projects" / "projects.parquet", schema.PROJECTS, projects)
    cache = users.cache if users else UserCache()
    if users:
        users.finish(raw / "users" / "users.parquet")
    if not ex.full:
        staging.carry_over(ex.settings.extract_dir / "raw", raw, ex.kept - ex.replaced)
    finished = dt.datetime.now(dt.UTC).replace(microsecond=0)
    last_full = started if ex.full or previous is None else previous.last_full_refresh
    # the data reaches back to the since of the last full run (incremental runs keep it)
    previous_since = dt.date.fromisoformat(previous.since) if previous else ex.settings.since
    state = State(
        last_full_refresh=last_full,
        since=(ex.settings.since if ex.full or previous is None else previous_since).isoformat(),
        scope=_scope(ex.settings),
        watermarks=ex.watermarks,
        heads=ex.heads,
    )
    write_state(stage / "state", state, cache)
    manifest = build_manifest(
        run_id=run_id,
        mode=ex.mode,
        started_at=started,
        finished_at=finished,
        gitlab_url=url,
        gitlab_version=version,
        scope=_scope(ex.settings),
        since=ex.settings.since,
        last_full_refresh=last_full,
        rows=staging.distinct_rows(raw),
        requests=ex.client.stats.as_dict(),
        listings=ex.records,
    )
    write_manifest(stage / MANIFEST_FILE, manifest)
    return manifest


def _summary(result: ExtractResult, out: Path) -> None:
    manifest = result.manifest
    counts = ", ".join(f"{k} {v}" for k, v in manifest["rows"].items())
    req = manifest["requests"]
    log.info(
        "extract (%s) complete in %.1fs: %s; %d listings, each checked complete; %d requests "
        "(%d retried, %d rate-limit waits); output in %s",
        manifest["mode"],
        result.seconds,
        counts,
        len(manifest["listings"]),
        req["total"],
        req["retried"],
        req["rate_limit_waits"],
        out,
    )
