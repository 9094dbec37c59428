"""The SQL takes its metrics from the registry: a new entry is a new column of every wide mart."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pipeline import metrics
from pipeline.errors import LeaderboardError
from pipeline.marts.raw_tables import load_raw_tables
from pipeline.marts.roster_tables import register_inputs
from pipeline.marts.runner import check_kinds, connect, run_queries
from pipeline.metrics import DISTINCT, Metric
from pipeline.roster.teams import Bots, Roster
from tests.queries.seed import AS_OF, NOREPLY, Raw, build, days_before, member, roster

#: A metric no SQL file knows: the distinct MRs a person opened or merged, worth 10.
TOUCHED = Metric(
    "mrs_touched", ("mr_opened", "mr_merged"), DISTINCT, "MRs touched", "opened or merged", 10, True
)
REGISTRY = (metrics.METRICS[0], TOUCHED, *metrics.METRICS[1:])
WIDE = ("leaderboard_users", "leaderboard_teams", "weekly_team_activity", "bot_activity")


def _marts(raw: Raw, team: Roster, bots: Bots, registry: tuple[Metric, ...]) -> Any:
    con = connect()
    load_raw_tables(con, [raw.write()])
    register_inputs(con, team, bots, AS_OF, NOREPLY, registry=registry)
    run_queries(con)
    return con


def test_a_registry_entry_is_a_column_everywhere_in_its_place(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .mr(10, 1, "alice", days_before(2), merged=days_before(1))  # opened and merged: one MR
        .mr(11, 1, "alice", days_before(1))
        .mr(12, 1, "renovate", days_before(1))
    )
    team = roster(member("red", "alice"), member("red", "bob"))
    con = _marts(raw, team, Bots(usernames=frozenset({"renovate"})), REGISTRY)
    tables = {name: con.table(name).to_arrow_table() for name in WIDE}
    names = [m.name for m in REGISTRY]
    assert tables["leaderboard_users"].column_names == [
        "window", "team", "username", *names, "score", "rank", "prev_rank"
    ]  # fmt: skip
    assert tables["leaderboard_teams"].column_names == [
        "window", "team", "members", *names, "score", "rank", "prev_rank"
    ]  # fmt: skip
    assert tables["weekly_team_activity"].column_names == ["week", "team", *names]
    bot_names = [m.name for m in REGISTRY if m.bots]
    assert tables["bot_activity"].column_names == [
        "username", "email", "source", "on_roster", *bot_names
    ]  # fmt: skip

    zeros = dict.fromkeys(names, 0)
    counts = {**zeros, "mrs_touched": 2, "mrs_opened": 2, "mrs_merged": 1}
    score = sum(m.weight * counts[m.name] for m in REGISTRY)  # 10 x 2 for mrs_touched
    assert score > 20
    week = {r["team"]: r for r in tables["weekly_team_activity"].to_pylist()[-1:]}
    assert tables["leaderboard_users"].to_pylist()[:2] == [
        {"window": "7d", "team": "red", "username": "alice", **counts,
         "score": score, "rank": 1, "prev_rank": 1},
        {"window": "7d", "team": "red", "username": "bob", **zeros,
         "score": 0, "rank": 2, "prev_rank": 1},
    ]  # fmt: skip
    assert tables["leaderboard_teams"].to_pylist()[0] == {
        "window": "7d", "team": "red", "members": 2, **counts,
        "score": score, "rank": 1, "prev_rank": 1,
    }  # fmt: skip
    assert week == {"red": {"week": dt.date(2026, 8, 17), "team": "red", **counts}}
    assert tables["bot_activity"].to_pylist() == [
        {"username": "renovate", "email": None, "source": "bots_txt", "on_roster": False,
         **dict.fromkeys(bot_names, 0), "mrs_touched": 1, "mrs_opened": 1}
    ]  # fmt: skip


def test_the_sql_emits_exactly_the_registry_kinds(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .user(2, "bob")
        .commit(1, "c1", f"alice@{NOREPLY}", days_before(1), coauthors=[("Bob", f"bob@{NOREPLY}")])
        .mr(10, 1, "alice", days_before(3), merged=days_before(2))
        .issue(20, 1, "alice", days_before(3), closed=days_before(2), closed_by="alice")
        .approval(1, 1, "bob", 10, days_before(1))
        .comment(2, 1, "bob", 10, days_before(1))
    )
    marts = build(raw, roster(member("red", "alice"), member("red", "bob")))
    kinds = marts["contributions"].column("kind").to_pylist()
    assert sorted(set(kinds)) == sorted(metrics.KINDS)


def test_a_kind_no_metric_counts_fails_the_build(tmp_path: Path) -> None:
    # a registry without review comments: the SQL still emits them, and nothing would count them
    reviewed = dataclasses.replace(metrics.METRICS[-1], kinds=("mr_approved",))
    registry = (*metrics.METRICS[:-2], reviewed)
    raw = Raw(tmp_path).project(1).user(1, "alice").user(2, "bob")
    raw.mr(10, 1, "alice", days_before(3)).comment(2, 1, "bob", 10, days_before(1))
    con = _marts(raw, roster(member("red", "alice"), member("red", "bob")), Bots(), registry)
    with pytest.raises(LeaderboardError, match="no metric counts: review_comment;"):
        check_kinds(con)
    check_kinds(_marts(raw, roster(member("red", "alice")), Bots(), metrics.METRICS))
