"""Commit counting: one SHA across forks, merge commits out, dedupe across extraction parts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.marts.runner import build_marts
from pipeline.roster.teams import Bots
from tests.queries.seed import (
    AS_OF,
    NOREPLY,
    Raw,
    build,
    days_before,
    member,
    roster,
    rows,
    window,
)


def test_fork_and_upstream_share_a_sha_once(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(5, fork_of=8)
        .project(8)
        .project(3, fork_of=8)
        .user(1, "alice")
        .commit(3, "shared", f"alice@{NOREPLY}", days_before(1))
        .commit(5, "shared", f"alice@{NOREPLY}", days_before(1))
        .commit(8, "shared", f"alice@{NOREPLY}", days_before(1))
        .commit(5, "forkonly", f"alice@{NOREPLY}", days_before(2))
        .commit(3, "forkonly", f"alice@{NOREPLY}", days_before(2))
    )
    marts = build(raw, roster(member("red", "alice")))
    assert window(marts["leaderboard_users"], "7d", "commits") == [(2,)]
    # shown under the lowest non-fork project, else the lowest fork
    assert rows(marts["contributions"], "item_id", "project_id") == [("forkonly", 3), ("shared", 8)]


def test_merge_commits_never_count(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "merge", f"alice@{NOREPLY}", days_before(1), parents=2)
        .commit(1, "octopus", "stranger@example.org", days_before(1), parents=3)
        .commit(1, "root", f"alice@{NOREPLY}", days_before(1), parents=0)
        .commit(1, "plain", f"alice@{NOREPLY}", days_before(1))
    )
    marts = build(raw, roster(member("red", "alice")))
    assert window(marts["leaderboard_users"], "7d", "commits") == [(2,)]
    assert rows(marts["unmatched_authors"]) == []


def test_same_commit_in_two_extraction_parts_and_shards(tmp_path: Path) -> None:
    first = Raw(tmp_path / "raw").project(1).user(1, "alice")
    first.commit(1, "c1", f"alice@{NOREPLY}", days_before(1)).write("run1")
    second = Raw(tmp_path / "raw").commit(
        1,
        "c1",
        f"alice@{NOREPLY}",
        days_before(1),
        extracted=AS_OF - dt.timedelta(minutes=5),
    )
    second.write("run2")
    shard = Raw(tmp_path / "shard-2" / "raw").project(2)
    shard.commit(2, "c2", f"alice@{NOREPLY}", days_before(2)).write("run1")
    marts = build_marts(
        [tmp_path / "raw", tmp_path / "shard-2" / "raw"],
        roster(member("red", "alice")),
        Bots(),
        AS_OF,
        NOREPLY,
    ).marts
    assert rows(marts["contributions"], "item_id", "project_id") == [("c2", 2), ("c1", 1)]


def test_commit_by_authored_date_not_committed_date(tmp_path: Path) -> None:
    raw = Raw(tmp_path).project(1).user(1, "alice")
    raw.commit(1, "old", f"alice@{NOREPLY}", days_before(400))
    raw.tables["commits"][-1]["committed_date"] = days_before(1)  # rebased/merged recently
    marts = build(raw, roster(member("red", "alice")))
    assert rows(marts["leaderboard_users"], "commits") == [(0,)] * 4
    assert rows(marts["contributions"]) == []
