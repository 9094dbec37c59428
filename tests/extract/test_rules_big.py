"""GitLab's rules at the bench organisation's size: with an events count cap far below the
events listings, an instance time zone west of UTC and a maximum offset far below the longest
listings, a full run and the incremental run after a simulated day give the marts of a server
without cap, zone or limit (the same events hidden from the token), for at most 15% more
requests, and no request is refused."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from polars.testing import assert_frame_equal

from pipeline.cli import main
from pipeline.sim import SimConfig, SimServer
from pipeline.sim.org.roster import bench_roster_csv
from tests.extract.support import NOW
from tests.run_support import read_marts

pytestmark = pytest.mark.slow

MAX_OFFSET = 500  # rows; the group listings hold ~2,500, the biggest project ~3,300 commits
#: events per range; the biggest project's listings hold ~1,000 events each
RULES = {"events_count_cap": 200, "time_zone": "Pacific/Pago_Pago", "max_offset": MAX_OFFSET}
FREE = {"events_count_cap": 10_000, "time_zone": "UTC", "max_offset": 0}


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
    assert "405" not in served["by_status"]
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


def test_gitlabs_rules_give_the_marts_of_a_server_without_them(tmp_path: Path) -> None:
    with SimServer(SimConfig(profile="bench", scale=0.05, now=NOW, hidden_events=0.1)) as sim:
        (tmp_path / "teams.csv").write_text(bench_roster_csv(sim.dataset, 40), encoding="utf-8")
        (tmp_path / "bots.txt").write_text("", encoding="utf-8")
        per_project = Counter((e.project_id, e.action) for e in sim.dataset.events.values())
        assert max(per_project.values()) > 4 * RULES["events_count_cap"]
        free = extract_and_build(sim, tmp_path, "free", NOW)
        sim.configure(**RULES)
        ruled = extract_and_build(sim, tmp_path, "ruled", NOW)
        assert_same_marts(tmp_path / "ruled", tmp_path / "free")
        assert free < ruled <= 1.15 * free
        manifest = json.loads((tmp_path / "ruled" / "manifest.json").read_text())
        ranges = [len(e["slices"]) for e in manifest["listings"] if e["what"].startswith("events")]
        assert max(ranges) >= 4

        sim.simulate_activity(days=1, seed=3, share=0.5)
        day = NOW + dt.timedelta(days=1)
        ruled_day = extract_and_build(sim, tmp_path, "ruled", day)
        sim.configure(**FREE)
        free_day = extract_and_build(sim, tmp_path, "free", day)
        assert_same_marts(tmp_path / "ruled", tmp_path / "free")
        assert ruled_day <= 1.15 * free_day
        manifest = json.loads((tmp_path / "ruled" / "manifest.json").read_text())
        assert manifest["mode"] == "incremental"
