"""leaderboard_teams: members, sums of the user rows, rank among teams."""

from __future__ import annotations

from pathlib import Path

from pipeline import metrics
from tests.queries.seed import NOREPLY, Raw, build, days_before, member, roster, t, window

COLUMNS = [
    "window",
    "team",
    "members",
    "commits",
    "mrs_opened",
    "mrs_merged",
    "issues_opened",
    "issues_closed",
    "score",
    "rank",
    "prev_rank",
]
#: every column of the mart: one per metric of the registry, in its order, before the score
ALL_COLUMNS = [*COLUMNS[:3], *metrics.NAMES, *COLUMNS[8:]]


def test_team_rows_are_sums_with_dense_rank(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .user(2, "bob")
        .user(3, "carol")
        .commit(1, "c1", f"alice@{NOREPLY}", days_before(1))
        .commit(1, "c2", f"bob@{NOREPLY}", days_before(1))
        .issue(20, 1, "carol", days_before(1), closed=days_before(1), closed_by="carol")
        .mr(10, 1, "carol", days_before(40))
    )
    team = roster(
        member("red", "alice"),
        member("red", "bob"),
        member("blue", "carol"),
        member("green", "dave"),
        member("gone", "erin", left="2026-01-01"),
    )
    table = build(raw, team)["leaderboard_teams"]
    assert table.column_names == ALL_COLUMNS
    assert window(table, "7d", *COLUMNS[1:-1]) == [
        ("blue", 1, 0, 0, 0, 1, 1, 3, 1),
        ("red", 2, 2, 0, 0, 0, 0, 2, 2),
        ("green", 1, 0, 0, 0, 0, 0, 0, 3),
    ]
    assert window(table, "90d", "team", "score", "rank") == [
        ("blue", 4, 1),
        ("red", 2, 2),
        ("green", 0, 3),
    ]
    assert window(table, "365d", "team", "members", "rank") == [
        ("blue", 1, 1),
        ("red", 2, 2),
        ("gone", 1, 3),
        ("green", 1, 3),
    ]


def test_mover_counts_as_member_of_both_teams_in_the_window(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "c1", f"alice@{NOREPLY}", t("2026-08-18T00:00:00Z"))
        .commit(1, "c2", f"alice@{NOREPLY}", t("2026-08-21T00:00:00Z"))
        .commit(1, "c3", f"alice@{NOREPLY}", t("2026-08-22T00:00:00Z"))
    )
    team = roster(
        member("red", "alice", left="2026-08-20"),
        member("blue", "alice", joined="2026-08-20"),
        member("blue", "bob"),
    )
    table = build(raw, team)["leaderboard_teams"]
    assert window(table, "7d", "team", "members", "commits", "rank") == [
        ("blue", 2, 2, 1),
        ("red", 1, 1, 2),
    ]
