"""Review credit (mrs_approved, review_comments, mrs_reviewed): exact rows through the real SQL."""

from __future__ import annotations

from pathlib import Path

from pipeline.roster.teams import Bots
from tests.queries.seed import Raw, build, days_before, member, roster, rows, t, window

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
    url = "https://gitlab.example.com/mr/"
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
