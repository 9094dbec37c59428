"""Contract audit of the marts: ARCHITECTURE's literal rules at their edges, whole rows asserted."""

from __future__ import annotations

import datetime as dt
import logging
import random
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline import metrics
from pipeline.roster.teams import Bots, Membership, Roster
from pipeline.schema import MARTS
from tests.queries.reference import leaderboards
from tests.queries.seed import AS_OF, NOREPLY, Raw, build, days_before, member, roster, rows, t

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))

USER_COLUMNS = (
    "team",
    "username",
    "commits",
    "mrs_opened",
    "mrs_merged",
    "issues_opened",
    "issues_closed",
    "score",
    "rank",
)


def board(table: pa.Table, name: str) -> list[tuple[object, ...]]:
    return [r[1:] for r in rows(table, "window", *USER_COLUMNS) if r[0] == name]


def teams_board(table: pa.Table, name: str) -> list[tuple[object, ...]]:
    columns = ("team", "members", "commits", "mrs_merged", "score", "rank")
    return [r[1:] for r in rows(table, "window", *columns) if r[0] == name]


def test_mrs_merged_counts_by_merged_at_whatever_the_state(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .mr(10, 1, "alice", days_before(20), merged=days_before(2))
        .mr(11, 1, "alice", days_before(20), merged=days_before(2))
        .mr(12, 1, "alice", days_before(20))
    )
    mrs = raw.tables["merge_requests"]
    mrs[0]["state"] = "closed"  # merged_at set, state not merged: counted (by merged_at)
    mrs[1]["merged_at"] = None  # state merged, no merged_at: no time to count it at
    mrs[2]["state"] = "merged"
    table = build(raw, roster(member("red", "alice")))["leaderboard_users"]
    assert board(table, "7d") == [("red", "alice", 0, 0, 1, 0, 0, 3, 1)]
    assert board(table, "30d") == [("red", "alice", 0, 3, 1, 0, 0, 6, 1)]


def test_issues_closed_need_both_closed_by_and_closed_at(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .user(2, "bob")
        .issue(20, 1, "alice", days_before(40), closed=days_before(1), closed_by="bob")
        .issue(21, 1, "alice", days_before(40), closed=days_before(1), closed_by=None)
        .issue(22, 1, "alice", days_before(40), closed=None, closed_by="bob")
        .issue(23, 1, "alice", days_before(40), closed=days_before(2), closed_by="bob")
    )
    issues = raw.tables["issues"]
    issues[3]["state"] = "opened"  # reopened but closed_at still set: counted by closed_at
    table = build(raw, roster(member("red", "alice"), member("red", "bob")))["leaderboard_users"]
    assert board(table, "7d") == [
        ("red", "bob", 0, 0, 0, 0, 2, 4, 1),
        ("red", "alice", 0, 0, 0, 0, 0, 0, 2),
    ]
    assert board(table, "90d") == [
        ("red", "alice", 0, 0, 0, 4, 0, 4, 1),
        ("red", "bob", 0, 0, 0, 0, 2, 4, 1),
    ]


def test_usernames_with_capitals_match_case_insensitively(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(42, "OKhan")
        .mr(10, 1, "OKhan", days_before(1))
        .issue(20, 1, "okhan", days_before(1), closed=days_before(1), closed_by="OKHAN")
        .commit(1, "c1", f"OKhan@{NOREPLY}", days_before(1))
        .commit(1, "c2", f"42-OKhan@{NOREPLY}", days_before(1))
        .commit(1, "c3", f" 42-okhan@{NOREPLY.upper()} ", days_before(1))
    )
    marts = build(raw, roster(member("Red", "OKhan")))
    assert board(marts["leaderboard_users"], "7d") == [("Red", "okhan", 3, 1, 0, 1, 1, 7, 1)]
    assert rows(marts["member_emails"]) == [
        ("okhan", f"42-okhan@{NOREPLY}", "noreply"),
        ("okhan", f"okhan@{NOREPLY}", "noreply"),
    ]


def test_someone_elses_public_or_noreply_address_never_takes_a_teams_csv_email(
    tmp_path: Path,
) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice", public_email="Shared@Example.org")
        .user(2, "bob")
        .commit(1, "c1", f"alice@{NOREPLY}", days_before(1))
        .commit(1, "c2", "shared@example.org", days_before(1))
        .commit(1, "c3", f"1-alice@{NOREPLY}", days_before(1))
    )
    team = roster(
        member("red", "alice"),
        member("blue", "bob"),
        emails={"bob": (f"alice@{NOREPLY}", "shared@example.org")},
    )
    marts = build(raw, team)
    assert board(marts["leaderboard_users"], "7d") == [
        ("blue", "bob", 2, 0, 0, 0, 0, 2, 1),
        ("red", "alice", 1, 0, 0, 0, 0, 1, 2),
    ]
    assert rows(marts["member_emails"]) == [
        ("alice", f"1-alice@{NOREPLY}", "noreply"),
        ("bob", f"2-bob@{NOREPLY}", "noreply"),
        ("bob", f"alice@{NOREPLY}", "teams_csv"),
        ("bob", f"bob@{NOREPLY}", "noreply"),
        ("bob", "shared@example.org", "teams_csv"),
    ]


def test_unknown_roster_user_matches_by_teams_csv_emails_only(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .commit(1, "c1", "ghost@laptop", days_before(1))
        .commit(1, "c2", f"ghost@{NOREPLY}", days_before(1), name="Ghost")
        .mr(10, 1, "Ghost", days_before(1))
    )
    marts = build(raw, roster(member("red", "ghost"), emails={"ghost": ("ghost@laptop",)}))
    assert board(marts["leaderboard_users"], "7d") == [("red", "ghost", 1, 1, 0, 0, 0, 2, 1)]
    assert rows(marts["member_emails"]) == [("ghost", "ghost@laptop", "teams_csv")]
    seen = days_before(1)
    assert rows(marts["unmatched_authors"]) == [(f"ghost@{NOREPLY}", "Ghost", 1, 1, seen, seen)]


def test_offset_times_at_the_window_edges(tmp_path: Path) -> None:
    # as_of 2026-08-23T12:00Z: the 7d window starts 2026-08-16T12:00Z = 17:30+05:30
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "edge", f"alice@{NOREPLY}", t("2026-08-16T17:30:00+05:30"))
        .commit(1, "early", f"alice@{NOREPLY}", t("2026-08-16T17:29:59+05:30"))
        .commit(1, "at_end", f"alice@{NOREPLY}", t("2026-08-23T17:30:00+05:30"))
        .mr(10, 1, "alice", t("2026-08-23T17:29:59+05:30"))
    )
    table = build(raw, roster(member("red", "alice")))["leaderboard_users"]
    assert board(table, "7d") == [("red", "alice", 1, 1, 0, 0, 0, 2, 1)]
    assert board(table, "30d") == [("red", "alice", 2, 1, 0, 0, 0, 3, 1)]


def test_membership_edges_with_as_of_at_midnight(tmp_path: Path) -> None:
    as_of = dt.datetime(2026, 8, 23, tzinfo=dt.UTC)  # 7d window: [08-16, 08-23)
    raw = Raw(tmp_path).project(1).user(1, "a").user(2, "b").user(3, "c").user(4, "d")
    raw.mr(10, 1, "b", t("2026-08-15T23:59:59Z")).mr(11, 1, "b", t("2026-08-16T00:00:00Z"))
    team = roster(
        member("red", "a", left="2026-08-16"),  # ends exactly at the 7d start: not in 7d
        member("red", "b", joined="2026-08-16"),  # starts exactly at the 7d start
        member("red", "c", joined="2026-08-23"),  # starts at as_of: in no window
        member("red", "d", left="2026-08-17"),  # one day inside the 7d window
    )
    marts = build(raw, team, as_of=as_of)
    table = marts["leaderboard_users"]
    assert board(table, "7d") == [
        ("red", "b", 0, 1, 0, 0, 0, 1, 1),
        ("red", "d", 0, 0, 0, 0, 0, 0, 2),
    ]
    assert board(table, "30d") == [
        ("red", "b", 0, 1, 0, 0, 0, 1, 1),
        ("red", "a", 0, 0, 0, 0, 0, 0, 2),
        ("red", "d", 0, 0, 0, 0, 0, 0, 2),
    ]
    assert teams_board(marts["leaderboard_teams"], "7d") == [("red", 2, 0, 0, 1, 1)]
    assert teams_board(marts["leaderboard_teams"], "30d") == [("red", 3, 0, 0, 1, 1)]


def test_team_move_rows_ranked_alone_and_teams_are_sums(tmp_path: Path) -> None:
    # alice: red until 2026-08-20, blue from then; bob in blue; carol in green left long ago
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .user(2, "bob")
        .user(3, "carol")
        .commit(1, "c1", f"alice@{NOREPLY}", t("2026-08-18T10:00:00Z"))
        .commit(1, "c2", f"alice@{NOREPLY}", t("2026-08-18T11:00:00Z"))
        .mr(10, 1, "alice", t("2026-08-01T00:00:00Z"), merged=t("2026-08-21T00:00:00Z"))
        .commit(1, "c3", f"bob@{NOREPLY}", t("2026-08-22T00:00:00Z"))
        .commit(1, "c4", f"carol@{NOREPLY}", t("2026-08-01T00:00:00Z"))
    )
    team = roster(
        member("red", "alice", left="2026-08-20"),
        member("blue", "alice", joined="2026-08-20"),
        member("blue", "bob"),
        member("green", "carol", left="2026-08-10"),
    )
    marts = build(raw, team)
    assert board(marts["leaderboard_users"], "7d") == [
        ("blue", "alice", 0, 0, 1, 0, 0, 3, 1),
        ("red", "alice", 2, 0, 0, 0, 0, 2, 2),
        ("blue", "bob", 1, 0, 0, 0, 0, 1, 3),
    ]
    assert board(marts["leaderboard_users"], "30d") == [
        ("blue", "alice", 0, 0, 1, 0, 0, 3, 1),
        ("red", "alice", 2, 1, 0, 0, 0, 3, 1),
        ("blue", "bob", 1, 0, 0, 0, 0, 1, 2),
        ("green", "carol", 1, 0, 0, 0, 0, 1, 2),
    ]
    assert teams_board(marts["leaderboard_teams"], "7d") == [
        ("blue", 2, 1, 1, 4, 1),
        ("red", 1, 2, 0, 2, 2),
    ]
    assert teams_board(marts["leaderboard_teams"], "30d") == [
        ("blue", 2, 1, 1, 4, 1),
        ("red", 1, 2, 0, 3, 2),
        ("green", 1, 1, 0, 1, 3),
    ]


def test_commits_once_per_sha_no_merges_no_older_than_365_days(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .project(2, fork_of=1)
        .user(1, "alice")
        .commit(1, "same", f"alice@{NOREPLY}", days_before(1))
        .commit(2, "same", f"alice@{NOREPLY}", days_before(1))
        .commit(1, "merge", f"alice@{NOREPLY}", days_before(1), parents=2)
        .commit(1, "old", f"alice@{NOREPLY}", days_before(365, hours=1))
        .commit(1, "x1", "x@ext", days_before(3), name="Old X")
        .commit(2, "x1", "x@ext", days_before(3), name="Old X")
        .commit(2, "x2", "X@Ext ", days_before(2), name="New X")
        .commit(2, "xm", "x@ext", days_before(1), name="Merge X", parents=2)
        .commit(1, "xold", "x@ext", days_before(366), name="Ancient X")
    )
    marts = build(raw, roster(member("red", "alice")))
    assert [r[:3] for r in board(marts["leaderboard_users"], "365d")] == [("red", "alice", 1)]
    assert rows(marts["contributions"], "kind", "item_id", "project_id") == [("commit", "same", 1)]
    assert rows(marts["unmatched_authors"]) == [
        ("x@ext", "New X", 2, 2, days_before(3), days_before(2))
    ]


def test_bot_emails_and_names_are_left_out_everywhere(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "c1", "ci@example.org", days_before(1))
        .commit(1, "c2", f"123-renovate-bot@{NOREPLY}", days_before(1))
        .commit(1, "c3", f"Renovate-Bot@{NOREPLY}", days_before(1))
        .mr(10, 1, "renovate-bot", days_before(1))
    )
    bots = Bots(usernames=frozenset({"renovate-bot"}), emails=frozenset({"ci@example.org"}))
    team = roster(
        member("red", "alice"),
        member("red", "renovate-bot"),
        emails={"alice": ("ci@example.org",)},
    )
    marts = build(raw, team, bots)
    assert board(marts["leaderboard_users"], "7d") == [("red", "alice", 0, 0, 0, 0, 0, 0, 1)]
    assert rows(marts["unmatched_authors"]) == []
    assert rows(marts["member_emails"]) == [
        ("alice", f"1-alice@{NOREPLY}", "noreply"),
        ("alice", f"alice@{NOREPLY}", "noreply"),
    ]


def test_weekly_activity_26_mondays_up_to_as_of(tmp_path: Path) -> None:
    # as_of Sunday 2026-08-23T12:00Z: last week starts Monday 2026-08-17, first 2026-02-23
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "c1", f"alice@{NOREPLY}", t("2026-02-23T00:00:00Z"))
        .commit(1, "c0", f"alice@{NOREPLY}", t("2026-02-22T23:59:59Z"))
        .commit(1, "c2", f"alice@{NOREPLY}", t("2026-08-23T11:59:59Z"))
        .commit(1, "c3", f"alice@{NOREPLY}", t("2026-08-23T12:00:00Z"))
    )
    table = build(raw, roster(member("red", "alice")))["weekly_team_activity"]
    weeks = rows(table, "week", "commits")
    assert len(weeks) == 26
    assert weeks[0] == (dt.date(2026, 2, 23), 1)
    assert weeks[-1] == (dt.date(2026, 8, 17), 1)
    assert all(week.weekday() == 0 for week, _ in weeks)
    assert sum(count for _, count in weeks) == 2


SR = ("score", "rank")


def test_every_mart_has_the_declared_columns_and_int64_counts(tmp_path: Path) -> None:
    raw = Raw(tmp_path).project(1).user(1, "alice").mr(10, 1, "alice", days_before(1))
    marts = build(raw, roster(member("red", "alice")))
    for name, table in marts.items():
        assert table.schema.equals(MARTS[name]), name
    names = metrics.NAMES
    assert [n for n in names if n in USER_COLUMNS] == list(USER_COLUMNS[2:7])  # the contract's
    assert MARTS["leaderboard_users"].names == [
        "window", "team", "username", *names, *SR, "prev_rank"
    ]  # fmt: skip
    assert MARTS["leaderboard_teams"].names == [
        "window", "team", "members", *names, *SR, "prev_rank"
    ]  # fmt: skip
    for name in ("leaderboard_users", "leaderboard_teams"):
        for field in MARTS[name]:
            if field.name not in ("window", "team", "username"):
                assert field.type == pa.int64(), (name, field.name)
    assert AS_OF.tzinfo is dt.UTC


def test_each_membership_row_is_its_own_board_row(tmp_path: Path) -> None:
    # "one row for each membership that overlaps the window": alice left red and rejoined it
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .user(2, "bob")
        .commit(1, "c1", f"alice@{NOREPLY}", t("2026-05-01T00:00:00Z"))
        .commit(1, "c2", f"alice@{NOREPLY}", t("2026-06-15T00:00:00Z"))  # between: nowhere
        .mr(10, 1, "alice", t("2026-08-01T00:00:00Z"))
        .mr(11, 1, "alice", t("2026-08-02T00:00:00Z"))
        .mr(12, 1, "bob", t("2026-08-02T00:00:00Z"))
    )
    team = roster(
        member("red", "alice", left="2026-06-01"),
        member("red", "alice", joined="2026-07-01"),
        member("red", "bob"),
    )
    marts = build(raw, team)
    assert board(marts["leaderboard_users"], "30d") == [
        ("red", "alice", 0, 2, 0, 0, 0, 2, 1),
        ("red", "bob", 0, 1, 0, 0, 0, 1, 2),
    ]
    assert board(marts["leaderboard_users"], "365d") == [
        ("red", "alice", 0, 2, 0, 0, 0, 2, 1),
        ("red", "alice", 1, 0, 0, 0, 0, 1, 2),
        ("red", "bob", 0, 1, 0, 0, 0, 1, 2),
    ]
    assert teams_board(marts["leaderboard_teams"], "365d") == [("red", 2, 1, 0, 4, 1)]


def test_teams_csv_email_listed_in_bots_txt_is_dropped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .commit(1, "c1", "ci@example.org", days_before(1))
        .commit(1, "c2", "alice@laptop", days_before(1))
    )
    bots = Bots(emails=frozenset({"ci@example.org"}))
    team = roster(member("red", "alice"), emails={"alice": ("alice@laptop", "ci@example.org")})
    with caplog.at_level(logging.WARNING):
        marts = build(raw, team, bots)
    assert board(marts["leaderboard_users"], "7d") == [("red", "alice", 1, 0, 0, 0, 0, 1, 1)]
    assert rows(marts["member_emails"]) == [("alice", "alice@laptop", "teams_csv")]
    assert rows(marts["unmatched_authors"]) == []
    assert "teams.csv email ci@example.org of alice is listed in bots.txt" in caplog.text


@pytest.mark.parametrize("seed", range(4))
def test_random_stays_gaps_and_rejoins_equal_the_reference(tmp_path: Path, seed: int) -> None:
    """Rosters with gaps, same-team rejoins and moves at odd days, against reference.py."""
    rng = random.Random(1000 + seed)
    people = ["ann", "ben", "cat", "dan", "eve"]
    days = [(AS_OF - dt.timedelta(days=d)).date() for d in rng.sample(range(1, 400), 12)]
    memberships = []
    for i, person in enumerate(people):
        first, second = sorted(rng.sample(days, 2))
        gap = dt.timedelta(days=rng.choice((0, 0, 3)))
        spans = [(None, first), (first + gap, second), (second, None)]
        for joined, left in spans:
            if rng.random() < 0.8 and not (joined and left and left <= joined):
                memberships.append(Membership(rng.choice(("red", "blue")), person, joined, left, i))
    if not memberships:
        memberships.append(Membership("red", "ann", None, None, 0))
    team = Roster(Path("teams.csv"), tuple(memberships), {})
    raw = Raw(tmp_path).project(1)
    for uid, person in enumerate(people, start=1):
        raw.user(uid, person.upper() if uid % 2 else person)
    for n in range(150):
        when = AS_OF - dt.timedelta(hours=rng.randint(-24, 400 * 24), minutes=rng.randint(0, 59))
        who = rng.choice(people)
        raw.commit(1, f"s{n}", f"{who}@{NOREPLY}", when.astimezone(IST))
        raw.mr(n, 1, rng.choice((who, who.upper())), when, merged=when + dt.timedelta(days=2))
    marts = build(raw, team)
    want_users, want_teams = leaderboards(raw.tables, team, Bots(), AS_OF, NOREPLY)
    assert rows(marts["leaderboard_users"]) == want_users
    assert rows(marts["leaderboard_teams"]) == want_teams
