"""weekly_team_activity: 26 Mondays ending with as_of's week, zero-filled, up to as_of."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import metrics
from tests.queries.seed import NOREPLY, Raw, build, member, roster, rows, t

ITEMS = ["week", "team", "commits", "mrs_opened", "mrs_merged", "issues_opened", "issues_closed"]
#: every column of the mart: one per metric of the registry, in its order
COLUMNS = ["week", "team", *metrics.NAMES]


def test_weeks_boundaries_and_zero_fill(tmp_path: Path) -> None:
    as_of = t("2026-08-19T06:00:00Z")  # a Wednesday; its week starts Monday 2026-08-17
    first = dt.date(2026, 2, 23)  # 25 weeks earlier
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "c0", f"alice@{NOREPLY}", t("2026-02-22T23:59:59Z"))  # before first Monday
        .commit(1, "c1", f"alice@{NOREPLY}", t("2026-02-23T00:00:00Z"))
        .commit(1, "c2", f"alice@{NOREPLY}", t("2026-08-16T23:59:59Z"))  # Sunday
        .commit(1, "c3", f"alice@{NOREPLY}", t("2026-08-17T01:00:00+02:00"))  # Sunday in UTC
        .commit(1, "c4", f"alice@{NOREPLY}", t("2026-08-17T00:00:00Z"))
        .mr(10, 1, "alice", t("2026-08-19T05:59:59Z"))
        .mr(11, 1, "alice", t("2026-08-19T06:00:00Z"))  # at as_of: excluded
    )
    team = roster(
        member("red", "alice"),
        member("blue", "bob"),
        member("old", "carol", left="2026-02-23"),
        member("late", "dan", joined="2026-08-20"),
    )
    table = build(raw, team, as_of=as_of)["weekly_team_activity"]
    assert table.column_names == COLUMNS
    weeks = [first + dt.timedelta(weeks=i) for i in range(26)]
    assert sorted({r[0] for r in rows(table, "week")}) == weeks
    assert table.num_rows == 52  # blue and red; "old" left at first Monday, "late" joins later
    nonzero = [r for r in rows(table, *ITEMS) if any(r[2:])]
    assert nonzero == [
        (dt.date(2026, 2, 23), "red", 1, 0, 0, 0, 0),
        (dt.date(2026, 8, 10), "red", 2, 0, 0, 0, 0),
        (dt.date(2026, 8, 17), "red", 1, 1, 0, 0, 0),
    ]
    zeros = dict.fromkeys(metrics.NAMES, 0)
    assert table.to_pylist()[:2] == [
        {"week": first, "team": "blue", **zeros},
        {"week": first, "team": "red", **zeros, "commits": 1},
    ]


def test_as_of_on_a_monday_midnight_has_an_empty_last_week(tmp_path: Path) -> None:
    as_of = t("2026-08-17T00:00:00Z")
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "c1", f"alice@{NOREPLY}", t("2026-08-16T12:00:00Z"))
    )
    table = build(raw, roster(member("red", "alice")), as_of=as_of)["weekly_team_activity"]
    assert rows(table, "week", "commits")[-2:] == [
        (dt.date(2026, 8, 10), 1),
        (dt.date(2026, 8, 17), 0),
    ]
