"""The staging folder a run writes into, swapped into place only when the whole run succeeded."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import LeaderboardError

log = logging.getLogger("leaderboard.extract")

STAGING_PREFIX = ".staging-"
TRASH_PREFIX = ".replaced-"
RAW_TABLES = ("commits", "merge_requests", "issues", "projects", "users", "events")


def prepare(extract_dir: Path, run_tag: str) -> Path:
    """A fresh staging folder; leftovers of runs that died mid-way are removed first."""
    extract_dir.mkdir(parents=True, exist_ok=True)
    for stale in extract_dir.iterdir():
        if stale.name.startswith((STAGING_PREFIX, TRASH_PREFIX)):
            shutil.rmtree(stale, ignore_errors=True)
    staging = extract_dir / f"{STAGING_PREFIX}{run_tag}"
    (staging / "raw").mkdir(parents=True)
    return staging


def carry_over(old_raw: Path, new_raw: Path, keep: Iterable[tuple[str, str]]) -> int:
    """Hard-link (or copy) the earlier parts of every kept listing folder into the new raw tree."""
    carried = 0
    for table, key in sorted(keep):
        source = old_raw / table / key
        if not source.is_dir():
            continue
        target = new_raw / table / key
        target.mkdir(parents=True, exist_ok=True)
        for part in sorted(source.glob("*.parquet")):
            if not (target / part.name).exists():
                _link(part, target / part.name)
                carried += 1
    return carried


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def swap(extract_dir: Path, staging: Path, run_tag: str) -> None:
    """Move raw/, state/ and manifest.json of the staging folder into place, manifest last."""
    trash = extract_dir / f"{TRASH_PREFIX}{run_tag}"
    trash.mkdir()
    for name in ("raw", "state"):
        live = extract_dir / name
        if live.exists():
            os.replace(live, trash / name)
        os.replace(staging / name, live)
    os.replace(staging / "manifest.json", extract_dir / "manifest.json")
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def distinct_rows(raw: Path) -> dict[str, int]:
    """Rows per raw table after de-duplication by its key, as the staging SQL will count them.

    Commits are keyed by (project_id, id) and stored per project, so each project's folder is
    counted on its own: memory stays at one project's SHAs.
    """
    counts: dict[str, int] = {}
    for table in RAW_TABLES:
        folders = [raw / table] if table != "commits" else sorted((raw / table).glob("*/"))
        counts[table] = sum(len(_ids(sorted(folder.glob("**/*.parquet")))) for folder in folders)
    return counts


def _ids(parts: list[Path]) -> set[object]:
    ids: set[object] = set()
    for part in parts:
        ids.update(read_part(part, ["id"]).column("id").to_pylist())
    return ids


def read_part(part: Path, columns: list[str]) -> pa.Table:
    """Some columns of a raw part; one kept from an earlier run that cannot be read is named
    (by its place under data/, not the staging folder's) with what to do."""
    try:
        return pq.read_table(part, columns=columns)
    except (OSError, pa.ArrowException) as exc:
        live = Path(*(p for p in part.parts if not p.startswith(STAGING_PREFIX)))
        raise LeaderboardError(
            f"cannot read {live} ({str(exc).splitlines()[0]}): it is damaged; "
            "run `leaderboard extract --full`, which fetches everything again"
        ) from None
