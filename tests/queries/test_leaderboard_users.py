"""leaderboard_users: row set, windows, time zones, team moves, metrics, score and rank."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import metrics
from tests.queries.seed import (
    AS_OF,
    NOREPLY,
    Raw,
    build,
    days_before,
    member,
    roster,
    rows,
    t,
    window,
)

COLUMNS = [
    "window",
    "team",
    "username",
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


def test_exact_rows_scores_and_dense_rank_ties(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .user(2, "bob")
        .user(3, "carol")
        .commit(1, "c1", f"alice@{NOREPLY}", days_before(1))
        .mr(10, 1, "alice", days_before(20), merged=days_before(2))  # 1 + 3 in 7d
        .issue(20, 1, "bob", days_before(3), closed=days_before(2), closed_by="carol")
        .mr(11, 1, "bob", days_before(3))
        .issue(21, 1, "bob", days_before(60))
    )
    team = roster(
        member("red", "alice"),
        member("red", "bob"),
        member("blue", "carol"),
        member("blue", "dave"),
    )
    table = build(raw, team)["leaderboard_users"]
    assert table.column_names == ALL_COLUMNS
    assert window(table, "7d", *COLUMNS[1:-1]) == [
        ("red", "alice", 1, 0, 1, 0, 0, 4, 1),
        ("blue", "carol", 0, 0, 0, 0, 1, 2, 2),
        ("red", "bob", 0, 1, 0, 1, 0, 2, 2),
        ("blue", "dave", 0, 0, 0, 0, 0, 0, 3),
    ]
    assert window(table, "30d", *COLUMNS[1:-1]) == [
        ("red", "alice", 1, 1, 1, 0, 0, 5, 1),
        ("blue", "carol", 0, 0, 0, 0, 1, 2, 2),
        ("red", "bob", 0, 1, 0, 1, 0, 2, 2),
        ("blue", "dave", 0, 0, 0, 0, 0, 0, 3),
    ]
    assert window(table, "90d", "username", "issues_opened", "score", "rank")[1:3] == [
        ("bob", 2, 3, 2),
        ("carol", 0, 2, 3),
    ]


def test_window_edges_start_included_end_excluded(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "start", f"alice@{NOREPLY}", AS_OF - dt.timedelta(days=7))
        .commit(1, "before", f"alice@{NOREPLY}", AS_OF - dt.timedelta(days=7, microseconds=1))
        .commit(1, "end", f"alice@{NOREPLY}", AS_OF)
        .commit(1, "last", f"alice@{NOREPLY}", AS_OF - dt.timedelta(microseconds=1))
        .commit(1, "y1", f"alice@{NOREPLY}", AS_OF - dt.timedelta(days=365))
        .commit(1, "y0", f"alice@{NOREPLY}", AS_OF - dt.timedelta(days=365, seconds=1))
    )
    table = build(raw, roster(member("red", "alice")))["leaderboard_users"]
    assert rows(table, "window", "commits") == [("7d", 2), ("30d", 3), ("90d", 3), ("365d", 4)]


def test_offset_timestamps_are_compared_in_utc(tmp_path: Path) -> None:
    # 2026-08-16T13:30+02:00 is 11:30 UTC: before the 7d window (starts 2026-08-16T12:00Z)
    # although its wall-clock reading is after it; 14:30+02:00 is inside.
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "c1", f"alice@{NOREPLY}", t("2026-08-16T13:30:00+02:00"))
        .commit(1, "c2", f"alice@{NOREPLY}", t("2026-08-16T14:30:00+02:00"))
        .mr(10, 1, "alice", t("2026-08-23T13:00:00+02:00"))  # 11:00Z, before as_of
    )
    table = build(raw, roster(member("red", "alice")))["leaderboard_users"]
    assert window(table, "7d", "commits", "mrs_opened") == [(1, 1)]
    assert window(table, "30d", "commits", "mrs_opened") == [(2, 1)]


def test_team_move_inside_window_splits_the_work(tmp_path: Path) -> None:
    # as_of 2026-08-23T12:00Z; alice moves red -> blue on 2026-08-20 (midnight UTC)
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "c1", f"alice@{NOREPLY}", t("2026-08-19T23:59:59Z"))
        .commit(1, "c2", f"alice@{NOREPLY}", t("2026-08-20T00:00:00Z"))
        .mr(10, 1, "alice", t("2026-08-01T00:00:00Z"), merged=t("2026-08-21T00:00:00Z"))
    )
    team = roster(
        member("red", "alice", left="2026-08-20"), member("blue", "alice", joined="2026-08-20")
    )
    table = build(raw, team)["leaderboard_users"]
    assert window(table, "7d", *COLUMNS[1:-1]) == [
        ("blue", "alice", 1, 0, 1, 0, 0, 4, 1),
        ("red", "alice", 1, 0, 0, 0, 0, 1, 2),
    ]
    assert window(table, "30d", *COLUMNS[1:-1]) == [
        ("blue", "alice", 1, 0, 1, 0, 0, 4, 1),
        ("red", "alice", 1, 1, 0, 0, 0, 2, 2),
    ]


def test_membership_rows_follow_overlap_with_each_window(tmp_path: Path) -> None:
    raw = Raw(tmp_path).project(1)
    team = roster(
        member("red", "old", left="2026-08-10"),  # left before the 7d window
        member("red", "edge", left="2026-08-16"),  # left 2026-08-16 00:00 < start 12:00
        member("red", "future", joined="2026-08-24"),  # joins after as_of: no row
        member("red", "today", joined="2026-08-23"),  # joined before as_of 12:00
        member("blue", "twice", left="2026-06-01"),
        member("blue", "twice", joined="2026-07-01"),  # two rows where both overlap
    )
    table = build(raw, team)["leaderboard_users"]
    assert window(table, "7d", "team", "username") == [("blue", "twice"), ("red", "today")]
    assert window(table, "30d", "team", "username") == [
        ("blue", "twice"),
        ("red", "edge"),
        ("red", "old"),
        ("red", "today"),
    ]


def test_work_outside_any_membership_counts_nowhere(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "c1", f"alice@{NOREPLY}", t("2026-08-10T00:00:00Z"))
        .commit(1, "c2", f"alice@{NOREPLY}", t("2026-08-21T00:00:00Z"))
    )
    team = roster(
        member("red", "alice", left="2026-08-01"), member("blue", "alice", joined="2026-08-20")
    )
    table = build(raw, team)["leaderboard_users"]
    assert window(table, "30d", "team", "commits") == [("blue", 1), ("red", 0)]


def test_mrs_and_issues_use_their_own_timestamps_and_latest_version(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .user(2, "bob")
        .mr(10, 1, "alice", days_before(100), merged=days_before(3))
        # older and newer versions of MR 11 in two parts: only the newest counts
        .mr(11, 1, "alice", days_before(5), updated=days_before(5))
        .mr(11, 1, "alice", days_before(5), merged=days_before(1), updated=days_before(1))
        .issue(20, 1, "bob", days_before(100), closed=days_before(1), closed_by="alice")
    )
    table = build(raw, roster(member("red", "alice"), member("red", "bob")))["leaderboard_users"]
    assert window(table, "7d", *COLUMNS[2:-1]) == [
        ("alice", 0, 1, 2, 0, 1, 9, 1),
        ("bob", 0, 0, 0, 0, 0, 0, 2),
    ]
    assert window(table, "365d", "username", "issues_opened") == [("alice", 0), ("bob", 1)]


def test_shared_in_project_is_out_of_scope(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .mr(10, 1, "alice", days_before(1))
        .mr(11, 99, "alice", days_before(1))  # project 99 is not in raw/projects
        .issue(20, 99, "alice", days_before(1))
        .commit(99, "c1", f"alice@{NOREPLY}", days_before(1))
    )
    table = build(raw, roster(member("red", "alice")))["leaderboard_users"]
    assert window(table, "7d", *COLUMNS[2:-1]) == [("alice", 0, 1, 0, 0, 0, 1, 1)]
