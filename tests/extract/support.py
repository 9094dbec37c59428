"""Extraction test helpers: settings for a simulator, raw tables read back, expectations."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.config import Settings, settings_from_env
from pipeline.sim import SimServer

SAMPLE_TEAMS = Path(__file__).resolve().parents[2] / "pipeline" / "sim" / "sample_teams.csv"
#: The simulator's clock in extraction tests (SimConfig(now=NOW)) and the history start two years
#: before it: the organisation and what is extracted of it are the same on every day.
NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
SINCE = (NOW - dt.timedelta(days=730)).date().isoformat()


def env_for(sim: SimServer, data: Path, **extra: str) -> dict[str, str]:
    env = {
        "GITLAB_URL": sim.url,
        "GITLAB_TOKEN": sim.token,
        "LEADERBOARD_GROUPS": "acme",
        "LEADERBOARD_SINCE": SINCE,
        "LEADERBOARD_DATA_DIR": str(data),
        "LEADERBOARD_TEAMS": str(SAMPLE_TEAMS),
        "LEADERBOARD_WORKERS": "4",
        "LEADERBOARD_BACKOFF_BASE": "0.01",
        "LEADERBOARD_BACKOFF_CAP": "0.05",
    }
    env.update(extra)
    return env


def settings_for(sim: SimServer, data: Path, **extra: str) -> Settings:
    return settings_from_env(env_for(sim, data, **extra))


def read_raw(data: Path, table: str) -> pl.DataFrame:
    """Every part of a raw table, deduplicated as staging SQL does (latest version per key)."""
    parts = sorted((data / "raw" / table).glob("**/*.parquet"))
    frame = pl.concat([pl.read_parquet(p) for p in parts], how="vertical")
    if table in ("merge_requests", "issues"):
        frame = frame.sort(["id", "updated_at", "_extracted_at"]).unique("id", keep="last")
    elif table == "events":
        frame = frame.unique("id", keep="last")  # a watermark day is read again: same events
    elif table == "commits":
        frame = frame.unique(["project_id", "id"], keep="last")
    return frame


def since_of(settings: Settings) -> dt.datetime:
    return dt.datetime.combine(settings.since, dt.time(), tzinfo=dt.UTC)


def expected_projects(sim: SimServer, group: str = "acme") -> set[int]:
    """Projects whose namespace is the group or a subgroup: archived and forks in, shared-in out."""
    ds = sim.dataset
    root = ds.group_by_path(group)
    assert root is not None
    spaces = ds.subgroup_ids(root.id)
    return {p.id for p in ds.projects.values() if p.namespace_id in spaces}


def expected_commits(
    sim: SimServer, projects: set[int], since: dt.datetime
) -> set[tuple[int, str]]:
    ds = sim.dataset
    out = set()
    for pid in projects:
        if ds.projects[pid].default_branch not in ds.projects[pid].branches:
            continue  # an empty repository, or none
        for sha in ds.reachable(pid, ds.projects[pid].default_branch):
            if ds.commits[sha].committed_date >= since:
                out.add((pid, sha))
    return out


def expected_items(sim: SimServer, kind: str, projects: set[int], since: dt.datetime) -> set[int]:
    store: dict[int, Any] = getattr(sim.dataset, kind)
    return {i.id for i in store.values() if i.project_id in projects and i.updated_at >= since}


def tree_hashes(root: Path) -> dict[str, str]:
    """Every file under root (hidden ones too) with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def comparable(frame: pl.DataFrame, key: list[str]) -> list[dict[str, Any]]:
    """Rows without our bookkeeping column, sorted by key, for whole-table comparisons."""
    return frame.drop("_extracted_at").sort(key).to_dicts()


def expected_events(
    sim: SimServer, projects: set[int], since: dt.datetime, action: str | None = None
) -> set[int]:
    """Event ids of approvals and comments the extraction holds: created from the day before
    since's day on (`after` is a day chosen to hold in every time zone, the simulator's is UTC)."""
    first = dt.datetime.combine(since.date() - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return {
        e.id
        for e in sim.dataset.events.values()
        if e.project_id in projects
        and e.created_at >= first
        and (action is None or e.action == action)
    }
