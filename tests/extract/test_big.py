"""A listing past 10,000 rows (no x-total) and one big project fetched in parallel by page."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pipeline.extract.command import extract
from pipeline.sim import SimConfig, SimServer
from tests.extract.support import (
    NOW,
    expected_commits,
    expected_items,
    read_raw,
    settings_for,
    since_of,
)

pytestmark = pytest.mark.slow


def test_big_listings_complete_without_totals(tmp_path: Path) -> None:
    with SimServer(SimConfig(profile="bench", scale=0.22, latency_ms=2, now=NOW)) as sim:
        teams = tmp_path / "teams.csv"
        teams.write_text("team,username\nT,user0001\nT,user0002\n")
        settings = settings_for(
            sim, tmp_path / "data", LEADERBOARD_GROUPS="bench", LEADERBOARD_TEAMS=str(teams),
            LEADERBOARD_WORKERS="8",
        )  # fmt: skip
        result = extract(settings)
        since = since_of(settings)
        projects = set(sim.dataset.projects)
        mrs = expected_items(sim, "merge_requests", projects, since)
        commits = expected_commits(sim, projects, since)
    assert len(mrs) > 10_000
    got = read_raw(tmp_path / "data", "merge_requests")
    assert got.height == got["id"].n_unique() == len(mrs)
    assert set(got["id"]) == mrs
    listings = {
        (e["what"], e.get("project") or e.get("group")): e for e in result.manifest["listings"]
    }
    entry = listings[("merge_requests", "bench")]
    assert (entry["x_total"], entry["check"], entry["rows"]) == (None, "end-of-list", len(mrs))
    assert entry["pages"] == math.ceil(len(mrs) / 100)
    raw_commits = read_raw(tmp_path / "data", "commits")
    assert set(zip(raw_commits["project_id"], raw_commits["id"], strict=True)) == commits
    biggest = max(projects, key=lambda pid: sum(1 for p, _ in commits if p == pid))
    assert sum(1 for p, _ in commits if p == biggest) > 10_000
    # Long listings were fetched ahead by page number, at a cost of a few requests at most.
    # How many depends on when workers idle, which a loaded machine decides (the count has
    # been 15 to 40 here): that some were is the mechanism, the request bound its price.
    assert result.fetched_ahead > 0
    pages = sum(e["pages"] for e in result.manifest["listings"])
    necessary = 2 + pages + 2  # both users by the ids their MRs carry, no username search
    assert necessary <= result.manifest["requests"]["total"] <= 1.05 * necessary
