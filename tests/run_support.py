"""Helpers for whole-pipeline runs against the demo simulator: env, roster, marts, tree hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl

from pipeline.sim import SimServer, sample_bots_txt, sample_teams_csv

#: The simulator's clock and the build's pinned as_of, so every run sees the same organisation.
NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
AS_OF = "2026-11-28T00:00:00Z"


def write_roster(folder: Path) -> tuple[Path, Path]:
    """The demo's teams.csv (for NOW) and bots.txt in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    teams, bots = folder / "teams.csv", folder / "bots.txt"
    teams.write_text(sample_teams_csv(NOW), encoding="utf-8")
    bots.write_text(sample_bots_txt(), encoding="utf-8")
    return teams, bots


def demo_env(sim: SimServer, work: Path, **extra: str) -> dict[str, str]:
    """Settings for `leaderboard` against the demo simulator, writing under `work`, fast backoff."""
    teams, bots = write_roster(work)
    env = {
        "GITLAB_URL": sim.url,
        "GITLAB_TOKEN": sim.token,
        "LEADERBOARD_GROUPS": "acme",
        "LEADERBOARD_PROJECTS": "partners/shared-lib",
        "LEADERBOARD_SINCE": (NOW - dt.timedelta(days=730)).date().isoformat(),
        "LEADERBOARD_TEAMS": str(teams),
        "LEADERBOARD_BOTS": str(bots),
        "LEADERBOARD_DATA_DIR": str(work / "data"),
        "LEADERBOARD_PUBLIC_DIR": str(work / "public"),
        "LEADERBOARD_WORKERS": "4",
        "LEADERBOARD_BACKOFF_BASE": "0.01",
        "LEADERBOARD_BACKOFF_CAP": "0.05",
    }
    env.update(extra)
    return env


def read_marts(data: Path) -> dict[str, pl.DataFrame]:
    """Every mart the build wrote, by name."""
    marts = sorted((data / "marts").glob("*.parquet"))
    assert marts, f"no marts under {data}"
    return {path.stem: pl.read_parquet(path) for path in marts}


def tree_hashes(*roots: Path) -> dict[str, str]:
    """Every file under the roots (hidden ones too) with the SHA-256 of its bytes."""
    out = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
