"""`leaderboard build`: raw Parquet + roster -> data/marts/*.parquet via queries/*.sql in DuckDB."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.parquet as pq

from pipeline import budget, metrics
from pipeline.config import Settings
from pipeline.errors import LeaderboardError
from pipeline.marts.raw_tables import raw_dirs_of
from pipeline.marts.runner import MartBuild, build_marts, log_roster_findings
from pipeline.roster.teams import Bots, Roster, read_bots, read_roster
from pipeline.schema import MARTS
from pipeline.times import format_utc, parse_utc

log = logging.getLogger("leaderboard.build")


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: where, for which as_of, and how many rows each mart has."""

    marts_dir: Path
    as_of: dt.datetime
    noreply: str
    rows: dict[str, int]


@dataclass(frozen=True)
class Manifest:
    path: Path
    as_of: dt.datetime | None
    gitlab_url: str | None
    run_id: str | None


def read_manifests(data_dir: Path) -> list[Manifest]:
    """data/manifest.json and every data/shard-*/manifest.json that exists."""
    paths = [data_dir / "manifest.json", *sorted(data_dir.glob("shard-*/manifest.json"))]
    return [_read_manifest(p) for p in paths if p.is_file()]


def _read_manifest(path: Path) -> Manifest:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LeaderboardError(f"cannot read {path}: {exc}") from exc
    raw = doc.get("as_of") or doc.get("finished_at")
    as_of = None
    if raw:
        try:
            as_of = parse_utc(str(raw))
        except ValueError:
            raise LeaderboardError(
                f"{path}: as_of {raw!r} is not an ISO 8601 time with a zone"
            ) from None
    return Manifest(path, as_of, doc.get("gitlab_url"), doc.get("run_id"))


def default_as_of(manifests: list[Manifest], data_dir: Path) -> dt.datetime:
    """The earliest extraction end among the manifests (shards): every part is complete up to it.

    None is an error, not a guess.
    """
    times = [m.as_of for m in manifests if m.as_of is not None]
    if not times:
        raise LeaderboardError(
            f"no extraction manifest with as_of/finished_at under {data_dir}: "
            "run `leaderboard extract` first, or pin the time with `build --as-of TS`"
        )
    return min(times)


def resolve_noreply(settings: Settings, manifests: list[Manifest]) -> str:
    """LEADERBOARD_NOREPLY_DOMAIN, else GITLAB_URL's host, else the extracted manifest's host."""
    if settings.noreply_domain or settings.gitlab_url:
        return settings.noreply
    dated = sorted(
        (m for m in manifests if m.gitlab_url),
        key=lambda m: m.as_of or dt.datetime.min.replace(tzinfo=dt.UTC),
    )
    host = urlsplit(dated[-1].gitlab_url or "").hostname if dated else None
    return f"users.noreply.{host.lower()}" if host else settings.noreply


def run_build(settings: Settings, as_of: dt.datetime | None) -> BuildResult:
    """Build every mart and swap data/marts in only when all of them were written."""
    data_dir = settings.data_dir
    roster, bots = _read_roster_and_bots(settings)  # the user's own input fails first
    manifests = read_manifests(data_dir)
    as_of = as_of.astimezone(dt.UTC) if as_of else default_as_of(manifests, data_dir)
    noreply = resolve_noreply(settings, manifests)
    raw_dirs = raw_dirs_of(data_dir)
    if not any(d.is_dir() for d in raw_dirs):
        raise LeaderboardError(f"no raw data under {data_dir}/raw: run `leaderboard extract` first")
    result = build_marts(raw_dirs, roster, bots, as_of, noreply)
    log_roster_findings(result)
    info = _build_info(settings, as_of, noreply, manifests, result)
    marts_dir = data_dir / "marts"
    write_marts(marts_dir, result, info, lambda tmp: budget.check_build(settings, tmp, marts_dir))
    rows = {name: table.num_rows for name, table in result.marts.items()}
    log.info("built %s marts for as_of %s into %s", len(rows), format_utc(as_of), marts_dir)
    return BuildResult(marts_dir=marts_dir, as_of=as_of, noreply=noreply, rows=rows)


def _read_roster_and_bots(settings: Settings) -> tuple[Roster, Bots]:
    return read_roster(settings.teams_file), read_bots(settings.bots_file)


def _build_info(
    settings: Settings,
    as_of: dt.datetime,
    noreply: str,
    manifests: list[Manifest],
    result: MartBuild,
) -> dict[str, Any]:
    return {
        "as_of": format_utc(as_of),
        "built_at": format_utc(dt.datetime.now(dt.UTC)),
        "roster": str(settings.teams_file),
        "bots": str(settings.bots_file),
        "noreply_domain": noreply,
        # the registry (pipeline/metrics.py) as the page and the downloads show it
        "score_weights": metrics.weights(),
        "metrics": metrics.records(),
        "inputs": {
            "manifests": [
                {
                    "path": str(m.path),
                    "run_id": m.run_id,
                    "as_of": format_utc(m.as_of) if m.as_of else None,
                }
                for m in manifests
            ],
            "raw_files": {table: len(files) for table, files in result.inputs.items()},
        },
        "dropped_bots": [u for u, _ in result.dropped_bots],
        "dropped_bot_emails": [email for _, email in result.dropped_bot_emails],
        "unknown_usernames": result.unknown_usernames,
        "rows": {name: table.num_rows for name, table in result.marts.items()},
    }


def write_marts(
    marts_dir: Path,
    result: MartBuild,
    info: dict[str, Any],
    check: Callable[[Path], object] | None = None,
) -> None:
    """Write into a sibling temp folder, then swap it in, so a failure leaves the old marts;
    `check` sees the folder written before it replaces them (the build job's artifact)."""
    parent = marts_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".marts-tmp-{os.getpid()}"
    old = parent / f".marts-old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        for name, table in result.marts.items():
            pq.write_table(table.cast(MARTS[name]), tmp / f"{name}.parquet")
        (tmp / "build.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        if check:
            check(tmp)
        if marts_dir.exists():
            marts_dir.rename(old)
        tmp.rename(marts_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not marts_dir.exists():
            old.rename(marts_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
