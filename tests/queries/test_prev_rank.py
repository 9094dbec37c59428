"""prev_rank: each board row's rank in the previous period equals a build at as_of - N days."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pipeline.roster.teams import Bots
from pipeline.schema import WINDOWS
from tests.queries.seed import AS_OF, NOREPLY, Raw, build, days_before, member, roster, rows
from tests.queries.test_reference import _raw, _roster


def _keyed(table: pa.Table, key: tuple[str, ...]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    out: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in table.to_pylist():
        out.setdefault(tuple(r[k] for k in key), []).append(r)
    return out


def assert_prev_rank_is_the_earlier_build(
    now: dict[str, pa.Table], earlier: dict[str, dict[str, pa.Table]]
) -> int:
    """Rows unique by (window, team[, username]) in both builds: prev_rank = the earlier rank."""
    checked = 0
    for mart, key in (
        ("leaderboard_users", ("window", "team", "username")),
        ("leaderboard_teams", ("window", "team")),
    ):
        current = _keyed(now[mart], key)
        for window in WINDOWS:
            before = _keyed(earlier[window][mart], key)
            for k, found in current.items():
                if k[0] != window or len(found) > 1 or len(before.get(k, [])) > 1:
                    continue
                was = before.get(k)
                assert found[0]["prev_rank"] == (was[0]["rank"] if was else None), (mart, k)
                checked += 1
    return checked


def _raw_two_years(tmp_path: Path) -> Raw:
    raw = Raw(tmp_path).project(1)
    for uid, name in enumerate(("alice", "bob", "carol", "dave", "erin"), start=1):
        raw.user(uid, name)
    # alice leads now; bob led in every previous period
    for d in (1, 2, 3, 20, 80, 300):
        raw.commit(1, f"a{d}", f"alice@{NOREPLY}", days_before(d))
    for d in (8, 9, 10, 11, 40, 41, 42, 100, 101, 102, 400, 401, 402, 403, 700):
        raw.commit(1, f"b{d}", f"bob@{NOREPLY}", days_before(d))
    raw.mr(1, 1, "dave", days_before(50), merged=days_before(5))
    raw.issue(2, 1, "erin", days_before(12), closed=days_before(4), closed_by="erin")
    raw.commit(1, "old", f"erin@{NOREPLY}", days_before(729, hours=-1))  # inside 365d's previous
    return raw


def _roster_two_years() -> Any:
    return roster(
        member("red", "alice"),
        member("blue", "bob"),
        member("red", "carol", joined="2026-08-20"),  # joined inside the 7-day window: new
        member("red", "dave", left="2026-08-10"),  # moved teams inside the 30-day window
        member("blue", "dave", joined="2026-08-10"),
        member("green", "erin"),
    )


def test_prev_rank_equals_the_rank_of_a_build_n_days_earlier(tmp_path: Path) -> None:
    raw, team = _raw_two_years(tmp_path), _roster_two_years()
    now = build(raw, team)
    earlier = {w: build(raw, team, as_of=AS_OF - dt.timedelta(days=d)) for w, d in WINDOWS.items()}
    assert assert_prev_rank_is_the_earlier_build(now, earlier) > 20
    board = rows(now["leaderboard_users"], "window", "team", "username", "rank", "prev_rank")
    assert board[:11] == [
        ("7d", "blue", "dave", 1, 3),  # the blue stay began 2026-08-10: inside the previous 7d
        ("7d", "red", "alice", 1, 3),
        ("7d", "green", "erin", 2, 2),
        ("7d", "blue", "bob", 3, 1),
        ("7d", "red", "carol", 3, None),  # joined 2026-08-20: not on the previous board
        ("30d", "blue", "bob", 1, 1),
        ("30d", "red", "alice", 1, 3),
        ("30d", "blue", "dave", 2, None),  # a team move: the blue stay is a new row
        ("30d", "green", "erin", 2, 3),
        ("30d", "red", "carol", 3, None),
        ("30d", "red", "dave", 3, 2),  # the red stay keeps its own history
    ]
    teams = rows(now["leaderboard_teams"], "window", "team", "rank", "prev_rank")
    assert teams[:3] == [("7d", "blue", 1, 1), ("7d", "red", 1, 3), ("7d", "green", 2, 2)]
    # the 365-day window's previous period reaches back 730 days: erin's commit 729 days ago
    assert ("365d", "green", "erin", 3, 2) in board
    assert ("365d", "red", "alice", 2, 3) in board


def test_a_rejoined_membership_is_its_own_row_and_keeps_its_own_prev_rank(tmp_path: Path) -> None:
    raw = Raw(tmp_path).project(1).user(1, "alice").user(2, "bob")
    raw.commit(1, "c1", f"alice@{NOREPLY}", dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    raw.commit(1, "c2", f"bob@{NOREPLY}", dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    raw.commit(1, "c3", f"bob@{NOREPLY}", dt.datetime(2026, 6, 2, tzinfo=dt.UTC))
    team = roster(
        member("red", "alice", left="2026-06-20"),  # first stay: only in the previous 90 days
        member("red", "alice", joined="2026-07-01"),  # second stay: in both periods
        member("red", "bob"),
    )
    board = rows(build(raw, team)["leaderboard_users"], "window", "username", "score", "rank",
                 "prev_rank")  # fmt: skip
    assert [r for r in board if r[0] == "90d"] == [
        ("90d", "bob", 2, 1, 1),  # all three rows scored 0 in the previous 90 days
        ("90d", "alice", 1, 2, None),  # the second stay began inside this window: new
        ("90d", "alice", 0, 3, 1),  # the first stay (no joined date) was on the earlier board
    ]


@pytest.mark.parametrize("seed", [0, 3])
def test_prev_rank_on_random_history_equals_earlier_builds(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    team = _roster(rng)
    bots = Bots(usernames=frozenset({"bot", "gus"}), emails=frozenset({"ci@bots.example"}))
    raw = _raw(tmp_path, rng)
    now = build(raw, team, bots)
    earlier = {
        w: build(raw, team, bots, as_of=AS_OF - dt.timedelta(days=d)) for w, d in WINDOWS.items()
    }
    assert assert_prev_rank_is_the_earlier_build(now, earlier) > 30
    prev = Counter(r["prev_rank"] is None for r in now["leaderboard_users"].to_pylist())
    assert prev[False] > 0
