"""Bots never count: GitLab's bot flag, bots.txt usernames and emails, and their noreply forms."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pipeline.roster.teams import Bots
from tests.queries.seed import NOREPLY, Raw, build, days_before, member, roster, rows


def test_gitlab_bot_flag_drops_member_and_their_emails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .user(9, "renovate", public_email="renovate@example.org", bot=True)
        .commit(1, "c1", "renovate@example.org", days_before(1))
        .commit(1, "c2", f"9-renovate@{NOREPLY}", days_before(1))
        .commit(1, "c3", "ci@example.org", days_before(1))  # its teams.csv email
        .mr(10, 1, "renovate", days_before(1))
    )
    team = roster(
        member("red", "alice"), member("red", "renovate"), emails={"renovate": ("ci@example.org",)}
    )
    with caplog.at_level(logging.WARNING):
        marts = build(raw, team)
    assert rows(marts["leaderboard_users"], "window", "team", "username") == [
        (w, "red", "alice") for w in ("7d", "30d", "90d", "365d")
    ]
    assert rows(marts["leaderboard_teams"], "team", "members", "score") == [("red", 1, 0)] * 4
    assert rows(marts["unmatched_authors"]) == []
    assert [r[0] for r in rows(marts["member_emails"])] == ["alice", "alice"]
    assert "roster user 'renovate' is a bot account in GitLab" in caplog.text


def test_bots_txt_username_and_its_noreply_forms(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "c1", f"deploy-bot@{NOREPLY}", days_before(1))
        .commit(1, "c2", f"4242-deploy-bot@{NOREPLY}", days_before(1))
        .commit(1, "c3", "deploy-bot@example.org", days_before(1))  # not a noreply form
        .mr(10, 1, "deploy-bot", days_before(1))
    )
    team = roster(member("red", "alice"), member("red", "deploy-bot"))
    marts = build(raw, team, Bots(usernames=frozenset({"deploy-bot"})))
    assert rows(marts["leaderboard_users"], "username", "mrs_opened") == [("alice", 0)] * 4
    assert rows(marts["unmatched_authors"], "author_email") == [("deploy-bot@example.org",)]


def test_bots_txt_email_never_matches_a_member(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice", public_email="shared-ci@example.org")
        .commit(1, "c1", "Shared-CI@example.org", days_before(1))
        .commit(1, "c2", "other@example.org", days_before(1))
    )
    marts = build(
        raw, roster(member("red", "alice")), Bots(emails=frozenset({"shared-ci@example.org"}))
    )
    assert rows(marts["leaderboard_users"], "username", "commits") == [("alice", 0)] * 4
    assert ("alice", "shared-ci@example.org", "public_email") not in rows(marts["member_emails"])
    assert rows(marts["unmatched_authors"], "author_email") == [("other@example.org",)]


def test_bot_not_on_roster_is_still_left_out_of_unmatched(tmp_path: Path) -> None:
    raw = Raw(tmp_path).project(1).commit(1, "c1", f"17-dependabot@{NOREPLY}", days_before(1))
    marts = build(raw, roster(member("red", "alice")), Bots(usernames=frozenset({"dependabot"})))
    assert rows(marts["unmatched_authors"]) == []
