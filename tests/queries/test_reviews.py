"""Review credit (mrs_approved, review_comments, mrs_reviewed): exact rows through the real SQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.roster.teams import Bots
from pipeline.schema import WINDOWS
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

REVIEW = ("mrs_approved", "review_comments", "mrs_reviewed", "score", "rank")


def base(tmp_path: Path) -> Raw:
    """alice and bob open MRs 10 and 11 (long ago); carol and bob review."""
    return (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .user(2, "bob")
        .user(3, "carol")
        .mr(10, 1, "alice", days_before(400))
        .mr(11, 1, "bob", days_before(400))
    )


def test_counts_distinct_mrs_and_every_comment(tmp_path: Path) -> None:
    raw = (
        base(tmp_path)
        .approval(1, 1, "carol", 10, days_before(2))
        .approval(2, 1, "carol", 10, days_before(1))  # approved again: still one MR
        .approval(3, 1, "carol", 11, days_before(20))
        .comment(4, 1, "carol", 10, days_before(3))
        .comment(5, 1, "carol", 10, days_before(3, hours=1))
        .comment(6, 1, "bob", 10, days_before(40))  # bob reviews alice's MR 10
    )
    team = roster(member("red", "alice"), member("red", "bob"), member("blue", "carol"))
    table = build(raw, team)["leaderboard_users"]
    assert window(table, "7d", "username", *REVIEW) == [
        ("carol", 1, 2, 1, 2, 1),
        ("alice", 0, 0, 0, 0, 2),
        ("bob", 0, 0, 0, 0, 2),
    ]
    assert window(table, "30d", "username", *REVIEW)[0] == ("carol", 2, 2, 2, 4, 1)
    assert window(table, "90d", "username", *REVIEW)[:2] == [
        ("carol", 2, 2, 2, 4, 1),
        ("bob", 0, 1, 1, 2, 2),
    ]
    teams = build(raw, team)["leaderboard_teams"]
    assert rows(teams, "window", "team", *REVIEW)[:2] == [
        ("7d", "blue", 1, 2, 1, 2, 1),
        ("7d", "red", 0, 0, 0, 0, 2),
    ]


def test_own_mr_system_notes_issues_and_bots_never_count(tmp_path: Path) -> None:
    raw = (
        base(tmp_path)
        .user(9, "ci-bot", bot=True)
        .issue(20, 1, "alice", days_before(30))
        .approval(1, 1, "alice", 10, days_before(1))  # self-approval
        .comment(2, 1, "alice", 10, days_before(1))  # the author's own reply
        .comment(3, 1, "carol", 10, days_before(1), system=True)  # "added 1 commit"
        .comment(4, 1, "carol", 20, days_before(1), on="Issue")  # an issue, not an MR
        .comment(5, 1, "ci-bot", 10, days_before(1))  # a bot (GitLab's flag)
        .approval(6, 1, "renovate", 10, days_before(1))  # a bot (bots.txt)
        .approval(7, 1, "carol", 99, days_before(1))  # an MR the extraction does not hold
    )
    team = roster(
        member("red", "alice"),
        member("blue", "carol"),
        member("bots", "ci-bot"),
        member("bots", "renovate"),
    )
    marts = build(raw, team, Bots(usernames=("renovate",)))
    assert window(marts["leaderboard_users"], "7d", "username", *REVIEW) == [
        ("carol", 0, 0, 0, 0, 1),  # blue sorts before red
        ("alice", 0, 0, 0, 0, 1),
    ]
    kinds = {r[0] for r in rows(marts["contributions"], "kind")}
    assert not kinds & {"mr_approved", "review_comment"}


def test_membership_at_the_event_time_and_contribution_links(tmp_path: Path) -> None:
    # carol moves red -> blue on 2026-08-20 (as_of 2026-08-23T12:00Z)
    raw = (
        base(tmp_path)
        .approval(1, 1, "carol", 10, t("2026-08-19T23:59:59Z"))  # still red
        .comment(2, 1, "carol", 10, t("2026-08-20T00:00:00Z"), note_id=555)  # blue already
        .comment(3, 1, "carol", 11, t("2026-08-21T08:00:00Z"), note_id=556)
    )
    team = roster(
        member("red", "alice"),
        member("red", "carol", left="2026-08-20"),
        member("blue", "carol", joined="2026-08-20"),
    )
    marts = build(raw, team)
    assert window(marts["leaderboard_users"], "7d", "team", "username", *REVIEW) == [
        ("blue", "carol", 0, 2, 2, 4, 1),
        ("red", "carol", 1, 0, 1, 2, 2),
        ("red", "alice", 0, 0, 0, 0, 3),
    ]
    reviews = [r for r in rows(marts["contributions"]) if r[2] in ("mr_approved", "review_comment")]
    url = "https://gitlab.example.com/acme/p1/-/merge_requests/"
    assert reviews == [
        ("blue", "carol", "review_comment", "10", 1, "mr 10", f"{url}10#note_555",
         t("2026-08-20T00:00:00Z")),
        ("blue", "carol", "review_comment", "11", 1, "mr 11", f"{url}11#note_556",
         t("2026-08-21T08:00:00Z")),
        ("red", "carol", "mr_approved", "10", 1, "mr 10", f"{url}10",
         t("2026-08-19T23:59:59Z")),
    ]  # fmt: skip
    weekly = rows(marts["weekly_team_activity"], "week", "team", *REVIEW[:3])
    assert [r for r in weekly if any(r[2:])] == [
        (t("2026-08-17T00:00:00Z").date(), "blue", 0, 2, 2),
        (t("2026-08-17T00:00:00Z").date(), "red", 1, 0, 1),
    ]


def test_an_event_read_twice_counts_once(tmp_path: Path) -> None:
    raw = base(tmp_path).approval(1, 1, "carol", 10, days_before(1))
    raw.write("part-1")
    raw.tables["events"][0]["_extracted_at"] = t("2026-08-23T11:30:00Z")
    marts = build(raw, roster(member("blue", "carol")))
    assert window(marts["leaderboard_users"], "7d", "username", *REVIEW) == [
        ("carol", 1, 0, 1, 2, 1)
    ]


def test_prev_rank_ranks_the_previous_period_with_review_credit(tmp_path: Path) -> None:
    # carol only reviews: review credit alone decides where she stood in the previous periods
    raw = (
        base(tmp_path)
        .mr(12, 1, "alice", days_before(729))
        .commit(1, "b1", f"bob@{NOREPLY}", days_before(1))
        .commit(1, "b2", f"bob@{NOREPLY}", days_before(9))
        .approval(1, 1, "carol", 10, days_before(10))  # 7d's previous period: 2 points
        .comment(2, 1, "carol", 12, days_before(700))  # 365d's previous period, 730 days back
    )
    team = roster(member("red", "alice"), member("red", "bob"), member("blue", "carol"))
    users = build(raw, team)["leaderboard_users"]

    def board(name: str) -> dict[str, tuple[int, int, int | None]]:
        found = window(users, name, "username", "score", "rank", "prev_rank")
        return {u: (s, r, p) for u, s, r, p in found}

    # 7d before: carol 2 (one MR reviewed), bob 1 (a commit), alice 0
    assert board("7d") == {"bob": (1, 1, 2), "alice": (0, 2, 3), "carol": (0, 2, 1)}
    # 365d before: alice opened MRs 10 and 12 (2), bob MR 11 (1), carol commented on 12 (2)
    assert board("365d")["carol"] == (2, 1, 1) and board("365d")["bob"][2] == 2
    teams = build(raw, team)["leaderboard_teams"]
    assert window(teams, "7d", "team", "score", "rank", "prev_rank") == [
        ("red", 1, 1, 2),
        ("blue", 0, 2, 1),
    ]
    # the same ranks as a build at as_of - N days over the same data
    for name in ("7d", "365d"):
        as_of = AS_OF - dt.timedelta(days=WINDOWS[name])
        earlier = build(raw, team, as_of=as_of)["leaderboard_users"]
        assert {u: p for u, (_, _, p) in board(name).items()} == dict(
            window(earlier, name, "username", "rank")
        )
