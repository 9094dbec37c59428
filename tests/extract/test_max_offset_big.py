"""Done-when of issue 13: against a server whose maximum offset is far below the listings'
lengths, a full run and the incremental run after a simulated day give the marts of a run
with no limit, for at most 15% more requests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipeline.cli import main
from pipeline.sim import SimConfig, SimServer
from pipeline.sim.org.roster import bench_roster_csv
from tests.extract.support import NOW
from tests.run_support import read_marts

pytestmark = pytest.mark.slow

MAX_OFFSET = 500  # rows; the group listings hold ~2,500, the biggest project ~3,300 commits


def env(sim: SimServer, work: Path, data: str) -> dict[str, str]:
    return {
        "GITLAB_URL": sim.url,
        "GITLAB_TOKEN": sim.token,
        "LEADERBOARD_GROUPS": "bench",
        "LEADERBOARD_SINCE": (NOW - dt.timedelta(days=731)).date().isoformat(),
        "LEADERBOARD_TEAMS": str(work / "teams.csv"),
        "LEADERBOARD_BOTS": str(work / "bots.txt"),
        "LEADERBOARD_DATA_DIR": str(work / data),
        "LEADERBOARD_WORKERS": "4",
    }


def extract_and_build(sim: SimServer, work: Path, data: str, as_of: dt.datetime) -> int:
    """Extract (full or incremental, as the state says), build at as_of; requests served."""
    sim.reset_stats()
    assert main(["extract"], env(sim, work, data)) == 0
    served: dict[str, Any] = sim.stats()
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert main(["build", "--as-of", stamp], env(sim, work, data)) == 0
    return int(served["requests"])


def assert_same_marts(got: Path, want: Path) -> None:
    a, b = read_marts(got), read_marts(want)
    assert a.keys() == b.keys()
    for name in a:
        left, right = a[name], b[name]
        assert_frame_equal(left.sort(left.columns), right.sort(right.columns), check_exact=True)
    assert sum(frame.height for frame in a.values()) > 0


def test_small_maximum_offset_gives_the_unlimited_marts(tmp_path: Path) -> None:
    with SimServer(SimConfig(profile="bench", scale=0.05, now=NOW)) as sim:
        (tmp_path / "teams.csv").write_text(bench_roster_csv(sim.dataset, 40), encoding="utf-8")
        (tmp_path / "bots.txt").write_text("", encoding="utf-8")
        longest = max(
            sum(1 for m in sim.dataset.merge_requests.values()),
            max(len(sim.dataset.log(p.branches[p.default_branch])) for p in
                sim.dataset.projects.values() if p.default_branch in p.branches),
        )  # fmt: skip
        assert longest > 4 * MAX_OFFSET
        free = extract_and_build(sim, tmp_path, "free", NOW)
        sim.configure(max_offset=MAX_OFFSET)  # learned from the 405, as on a real instance
        capped = extract_and_build(sim, tmp_path, "capped", NOW)
        assert_same_marts(tmp_path / "capped", tmp_path / "free")
        assert free < capped <= 1.15 * free

        sim.simulate_activity(days=1, seed=3, share=0.5)
        day = NOW + dt.timedelta(days=1)
        capped_day = extract_and_build(sim, tmp_path, "capped", day)
        sim.configure(max_offset=0)
        free_day = extract_and_build(sim, tmp_path, "free", day)
        assert_same_marts(tmp_path / "capped", tmp_path / "free")
        assert capped_day <= 1.15 * free_day
        manifest = pl.read_json(tmp_path / "capped" / "manifest.json")
        assert manifest["mode"].to_list() == ["incremental"]
