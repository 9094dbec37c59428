"""member_emails and commit matching: precedence, noreply forms, case, unknown usernames."""

from __future__ import annotations

from pathlib import Path

from tests.queries.seed import NOREPLY, Raw, build, days_before, member, roster, rows, window

COLUMNS = ["username", "email", "source"]


def test_sources_and_both_noreply_forms(tmp_path: Path) -> None:
    raw = Raw(tmp_path).project(1).user(7, "alice", public_email=" Alice@Public.example ")
    marts = build(raw, roster(member("red", "alice"), emails={"alice": ("a@laptop",)}))
    table = marts["member_emails"]
    assert table.column_names == COLUMNS
    assert rows(table) == [
        ("alice", f"7-alice@{NOREPLY}", "noreply"),
        ("alice", "a@laptop", "teams_csv"),
        ("alice", "alice@public.example", "public_email"),
        ("alice", f"alice@{NOREPLY}", "noreply"),
    ]


def test_strongest_source_is_listed_once(tmp_path: Path) -> None:
    raw = Raw(tmp_path).project(1).user(7, "alice", public_email="alice@example.org")
    marts = build(raw, roster(member("red", "alice"), emails={"alice": ("ALICE@example.org",)}))
    assert [r for r in rows(marts["member_emails"]) if "example.org" in r[1]] == [
        ("alice", "alice@example.org", "teams_csv")
    ]


def test_teams_csv_email_beats_someone_elses_public_email(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice", public_email="shared@example.org")
        .user(2, "bob")
        .commit(1, "c1", "shared@example.org", days_before(1))
    )
    team = roster(
        member("red", "alice"), member("blue", "bob"), emails={"bob": ("shared@example.org",)}
    )
    marts = build(raw, team)
    assert [r for r in rows(marts["member_emails"]) if r[1] == "shared@example.org"] == [
        ("bob", "shared@example.org", "teams_csv")
    ]
    assert window(marts["leaderboard_users"], "7d", "team", "username", "commits") == [
        ("blue", "bob", 1),
        ("red", "alice", 0),
    ]


def test_commit_matches_both_noreply_forms_case_and_whitespace(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(7, "alice")
        .commit(1, "c1", f"alice@{NOREPLY}", days_before(1))
        .commit(1, "c2", f" \t7-Alice@{NOREPLY.upper()}\n", days_before(1))
        .commit(1, "c3", "8-alice@" + NOREPLY, days_before(1))  # another id: not hers
        .commit(1, "c4", "alice@users.noreply.gitlab.com", days_before(1))  # other host
    )
    marts = build(raw, roster(member("red", "alice")))
    assert window(marts["leaderboard_users"], "7d", "username", "commits") == [("alice", 2)]
    assert rows(marts["unmatched_authors"], "author_email") == [
        (f"8-alice@{NOREPLY}",),
        ("alice@users.noreply.gitlab.com",),
    ]


def test_roster_username_is_lower_cased_against_gitlab_records(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(7, "Alice", public_email="ALICE@x.org")
        .commit(1, "c1", "alice@x.org", days_before(1))
        .mr(10, 1, "ALICE", days_before(1))
    )
    marts = build(raw, roster(member("red", "alice")))
    assert window(marts["leaderboard_users"], "7d", "username", "commits", "mrs_opened") == [
        ("alice", 1, 1)
    ]


def test_unknown_username_matches_through_teams_csv_only(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .commit(1, "c1", "ghost@example.org", days_before(1))
        .commit(1, "c2", f"ghost@{NOREPLY}", days_before(1))
    )
    marts = build(raw, roster(member("red", "ghost"), emails={"ghost": ("ghost@example.org",)}))
    assert rows(marts["member_emails"]) == [("ghost", "ghost@example.org", "teams_csv")]
    assert window(marts["leaderboard_users"], "7d", "username", "commits") == [("ghost", 1)]
    assert rows(marts["unmatched_authors"], "author_email") == [(f"ghost@{NOREPLY}",)]


def test_never_matches_by_name_or_substring(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(7, "alice")
        .commit(1, "c1", "alice@example.org", days_before(1), name="alice")
        .commit(1, "c2", f"xalice@{NOREPLY}", days_before(1), name="Alice")
    )
    marts = build(raw, roster(member("red", "alice")))
    assert window(marts["leaderboard_users"], "7d", "username", "commits") == [("alice", 0)]


def test_a_private_commit_email_belongs_to_its_user_id_whatever_the_name(tmp_path: Path) -> None:
    """lib/gitlab/private_commit_email.rb matches `\\A(?<id>[0-9]+)\\-([^@]+)@hostname\\z` and
    takes `match[:id].to_i`: an account renamed from `ally` keeps its `7-ally@` commits; the
    digits decide, leading zeros and all; the name after the dash, or another domain, does not."""
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(7, "alice")
        .user(8, "bob")
        .commit(1, "c1", f"7-ally@{NOREPLY}", days_before(1))  # her commits before the rename
        .commit(1, "c2", f"007-Whatever@{NOREPLY}", days_before(1))  # to_i: 7
        .commit(1, "c3", f"8-alice@{NOREPLY}", days_before(1))  # bob's id with her name: his
        .commit(1, "c4", f"9-alice@{NOREPLY}", days_before(1))  # nobody on the roster
        .commit(1, "c5", "7-ally@users.noreply.gitlab.com", days_before(1))  # another instance
        .commit(1, "c6", f"7ally@{NOREPLY}", days_before(1))  # no dash: no id
        .commit(1, "c7", f"99999999999999999999-x@{NOREPLY}", days_before(1))  # beyond any id
    )
    marts = build(raw, roster(member("red", "alice"), member("red", "bob")))
    assert window(marts["leaderboard_users"], "7d", "username", "commits") == [
        ("alice", 2),
        ("bob", 1),
    ]
    assert [r for r in rows(marts["member_emails"]) if r[0] == "alice"] == [
        ("alice", f"007-whatever@{NOREPLY}", "noreply"),
        ("alice", f"7-alice@{NOREPLY}", "noreply"),
        ("alice", f"7-ally@{NOREPLY}", "noreply"),
        ("alice", f"alice@{NOREPLY}", "noreply"),
    ]
    assert rows(marts["unmatched_authors"], "author_email") == [
        ("7-ally@users.noreply.gitlab.com",),
        (f"7ally@{NOREPLY}",),
        (f"9-alice@{NOREPLY}",),
        (f"99999999999999999999-x@{NOREPLY}",),
    ]


def test_an_id_address_written_in_teams_csv_belongs_to_that_person_alone(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(7, "alice")
        .user(8, "bob")
        .commit(1, "c1", f"7-ally@{NOREPLY}", days_before(1))
    )
    team = roster(
        member("red", "alice"), member("blue", "bob"), emails={"bob": (f"7-ally@{NOREPLY}",)}
    )
    marts = build(raw, team)
    assert [r for r in rows(marts["member_emails"]) if r[1] == f"7-ally@{NOREPLY}"] == [
        ("bob", f"7-ally@{NOREPLY}", "teams_csv")
    ]
    assert window(marts["leaderboard_users"], "7d", "username", "commits") == [
        ("bob", 1),
        ("alice", 0),
    ]


def test_a_bot_members_id_addresses_are_bot_emails(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(7, "alice")
        .user(14, "deploy-bot", bot=True)
        .commit(1, "c1", f"14-old-deploy-bot@{NOREPLY}", days_before(1))
    )
    marts = build(raw, roster(member("red", "alice"), member("red", "deploy-bot")))
    assert rows(marts["unmatched_authors"]) == []
    assert rows(marts["bot_activity"], "username", "commits") == [("deploy-bot", 1)]
