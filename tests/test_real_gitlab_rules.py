"""Done-when of issue 19: against a server that follows GitLab's own rules (an events count cap
far below the listings, events the token cannot see, an instance time zone west of UTC, a
project without a repository and an empty one, a maximum offset), the board equals the
independent oracle for every window, person and team, after a full run and again after a
simulated day whose previous run was at 03:00 UTC; no request is refused for an offset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipeline.cli import main
from pipeline.sim import SimConfig, SimServer
from pipeline.sim.events_api import hidden
from tests.test_end_to_end import SIM_DIR, build_and_compare, env_for

FIRST_RUN = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)  # 19:00 the day before at UTC-8
NEXT_RUN = FIRST_RUN + dt.timedelta(days=1)
HIDDEN = 0.2
RULES = {
    "events_count_cap": 60,  # acme/app holds ~200 comments: several ranges, each ended short
    "hidden_events": HIDDEN,
    "time_zone": "America/Los_Angeles",  # UTC-8 in November
    "max_offset": 100,
}


def visible_review(sim: SimServer, act: str) -> None:
    """An approval or a comment on acme/app that this token can see."""
    for _ in range(20):
        if act == "approve":
            made = sim.approve_mr(project="acme/app")
        else:
            made = sim.comment_mr(project="acme/app")
        if not hidden(made, HIDDEN):
            return
    raise AssertionError("no visible event made")


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=FIRST_RUN, **RULES)) as sim:
        yield sim


def extract(sim: SimServer, work: Path) -> dict[str, Any]:
    sim.reset_stats()
    env = env_for(sim, work, SIM_DIR / "sample_teams.csv")
    assert main(["extract"], env) == 0
    seen: dict[str, Any] = sim.stats()
    assert "405" not in seen["by_status"]  # GitLab never refuses what we ask for an offset
    return seen


def manifest(work: Path) -> dict[str, Any]:
    frame = pl.read_json(work / "data" / "manifest.json")
    return frame.to_dicts()[0]


def test_full_run_then_a_day_later_equal_the_oracle(server: SimServer, tmp_path: Path) -> None:
    sim, work = server, tmp_path
    teams, bots = SIM_DIR / "sample_teams.csv", SIM_DIR / "sample_bots.txt"
    # the newest events the first run sees are at 03:00 UTC, its watermark
    visible_review(sim, "approve")
    visible_review(sim, "comment")
    extract(sim, work)
    first = manifest(work)
    assert first["mode"] == "full"
    comments = next(
        e
        for e in first["listings"]
        if e["what"] == "events:commented" and e.get("project") == "acme/app"
    )
    assert len(comments["slices"]) > 2  # the count cap ended ranges short
    assert comments["unseen"] > 0  # X-Total counted events this token cannot see
    handbook = next(e for e in first["listings"] if e.get("project") == "acme/handbook")
    assert (handbook["check"], handbook["reason"]) == ("no-repository", "404 Repository Not Found")
    assert all(build_and_compare(sim, work, teams, bots, FIRST_RUN, hidden_events=HIDDEN).values())

    # Reviews at 05:00 UTC, before the end of the previous local day at UTC-8 (08:00 UTC): the
    # old `after` = the watermark's UTC day less one dropped them in such a zone, for good.
    sim.advance(now=FIRST_RUN + dt.timedelta(hours=2))
    visible_review(sim, "approve")
    visible_review(sim, "comment")
    sim.simulate_activity(days=22 / 24, seed=5, share=0.5)
    assert sim.dataset.now == NEXT_RUN
    extract(sim, work)
    assert manifest(work)["mode"] == "incremental"
    assert all(build_and_compare(sim, work, teams, bots, NEXT_RUN, hidden_events=HIDDEN).values())
