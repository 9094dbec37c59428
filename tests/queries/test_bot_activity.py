"""bot_activity: bots listed apart, by GitLab's flag or bots.txt, with what they did."""

from __future__ import annotations

from pathlib import Path

from pipeline import metrics
from pipeline.roster.teams import Bots
from tests.queries.seed import NOREPLY, Raw, build, days_before, member, roster, rows

COLUMNS = ["username", "email", "source", "on_roster", *metrics.BOT_NAMES]


def test_exact_rows(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .project(2, fork_of=1)
        .user(1, "alice")
        .user(9, "renovate", public_email="renovate@example.org", bot=True)
        .commit(1, "c1", "renovate@example.org", days_before(1))
        .commit(2, "c1", "renovate@example.org", days_before(1))  # one SHA, counted once
        .commit(1, "c2", f"9-renovate@{NOREPLY}", days_before(2))
        .commit(1, "c3", "ci@bots.example", days_before(3))
        .commit(1, "c4", "CI@bots.example", days_before(400))  # outside the horizon
        .commit(1, "c5", f"17-dependabot@{NOREPLY}", days_before(1))
        .commit(1, "c6", "ci@bots.example", days_before(1), parents=2)  # a merge
        .commit(1, "c7", "alice@example.org", days_before(1))  # alice's teams.csv email
        .mr(10, 1, "renovate", days_before(5), merged=days_before(4))
        .mr(11, 1, "dependabot", days_before(1))
        .mr(12, 1, "dependabot", days_before(500))
        .issue(20, 1, "alice", days_before(3), closed=days_before(2), closed_by="renovate")
        .issue(21, 1, "renovate", days_before(3))
    )
    team = roster(
        member("red", "alice"),
        member("red", "renovate"),
        emails={"alice": ("alice@example.org", "ci@bots.example")},
    )
    bots = Bots(
        usernames=frozenset({"dependabot", "ghost"}),
        emails=frozenset({"ci@bots.example", "idle@bots.example", "renovate@example.org"}),
    )
    marts = build(raw, team, bots)
    table = marts["bot_activity"]
    assert table.column_names == COLUMNS
    assert rows(table) == [
        ("dependabot", None, "bots_txt", False, 1, 1, 0, 0, 0),
        ("ghost", None, "bots_txt", False, 0, 0, 0, 0, 0),
        ("renovate", None, "gitlab_bot_flag", True, 2, 1, 1, 1, 1),
        # listed in teams.csv for alice, yet a bot email: it never matches her
        (None, "ci@bots.example", "bots_txt", True, 1, 0, 0, 0, 0),
        (None, "idle@bots.example", "bots_txt", False, 0, 0, 0, 0, 0),
    ]
    assert rows(marts["leaderboard_users"], "window", "username", "commits") == [
        (w, "alice", 1) for w in ("7d", "30d", "90d", "365d")
    ]
    assert rows(marts["unmatched_authors"]) == []


def test_bots_txt_username_on_the_roster(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(5, "deploy-bot", bot=True)
        .commit(1, "c1", f"deploy-bot@{NOREPLY}", days_before(1))
        .commit(1, "c2", "deploy@example.org", days_before(1))  # its teams.csv email
    )
    team = roster(member("red", "deploy-bot"), emails={"deploy-bot": ("deploy@example.org",)})
    table = build(raw, team, Bots(usernames=frozenset({"deploy-bot"})))["bot_activity"]
    assert rows(table) == [("deploy-bot", None, "bots_txt", True, 2, 0, 0, 0, 0)]


def test_no_bots_no_rows(tmp_path: Path) -> None:
    raw = Raw(tmp_path).project(1).commit(1, "c1", "x@example.org", days_before(1))
    assert rows(build(raw, roster(member("red", "alice")))["bot_activity"]) == []
