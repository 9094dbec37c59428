"""teams.csv and bots.txt: each malformed case names its exact line and column; valid files pass."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import RosterError
from pipeline.roster.teams import Bots, Membership, check_bots, check_roster, read_bots, read_roster

CASES = Path(__file__).parents[1] / "roster_cases"
BAD = sorted(p.stem for p in (CASES / "bad").glob("*.csv"))
GOOD = sorted(p.stem for p in (CASES / "good").glob("*.csv"))
REPO = Path(__file__).parents[2]


def test_catalogue_has_at_least_twenty_malformed_files() -> None:
    assert len(BAD) >= 20


@pytest.mark.parametrize("name", BAD)
def test_malformed_file_gives_exactly_the_expected_error_lines(name: str) -> None:
    path = CASES / "bad" / f"{name}.csv"
    expected = (CASES / "bad" / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    roster, errors = check_roster(path)
    assert roster is None
    assert errors == [f"{path}:{line}" for line in expected]
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert caught.value.errors == errors


@pytest.mark.parametrize("name", GOOD)
def test_valid_file_passes(name: str) -> None:
    roster, errors = check_roster(CASES / "good" / f"{name}.csv")
    assert errors == []
    assert roster is not None and roster.memberships


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_bom_and_crlf_are_invisible() -> None:
    roster = read_roster(CASES / "good" / "bom_crlf.csv")
    assert roster.memberships == (
        Membership("platform", "alice", day("2024-01-01"), None, 2),
        Membership("web", "bob", None, None, 3),
    )
    assert roster.emails == {"alice": ("alice@example.org",)}


def test_quoted_team_keeps_its_comma_and_quotes() -> None:
    roster = read_roster(CASES / "good" / "quoted_team_with_comma.csv")
    assert [m.team for m in roster.memberships] == ["Platform, Core", 'web "ui"']


def test_reordered_columns_map_by_header_name() -> None:
    roster = read_roster(CASES / "good" / "reordered_columns.csv")
    assert roster.memberships[0] == Membership(
        "platform", "alice", day("2024-01-01"), day("2025-01-01"), 2
    )


def test_usernames_and_emails_are_lower_cased_and_empty_items_dropped() -> None:
    roster = read_roster(CASES / "good" / "mixed_case_emails.csv")
    assert roster.usernames == ("alice", "bob")
    assert roster.emails == {
        "alice": ("alice@example.org", "alice@laptop"),
        "bob": ("bob@example.org",),
    }


def test_team_move_on_a_date_is_two_memberships() -> None:
    roster = read_roster(CASES / "good" / "team_move.csv")
    assert roster.memberships == (
        Membership("platform", "alice", day("2024-01-01"), day("2025-03-01"), 2),
        Membership("web", "alice", day("2025-03-01"), None, 3),
    )
    assert roster.emails == {"alice": ("alice@example.org",)}


def test_blank_lines_are_ignored_and_fields_trimmed() -> None:
    roster = read_roster(CASES / "good" / "blank_lines_and_spaces.csv")
    assert roster.memberships == (
        Membership("platform", "alice", None, None, 3),
        Membership("web", "bob", None, None, 6),
    )


def test_record_spanning_lines_is_named_by_its_first_line() -> None:
    roster = read_roster(CASES / "good" / "multiline_quoted_team.csv")
    assert [(m.team, m.line) for m in roster.memberships] == [("Platform\nCore", 2), ("web", 4)]


def test_missing_file_is_an_error_on_line_one(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    assert check_roster(path) == (
        None,
        [
            f"{path}:1:-: file not found: write the roster there (docs/teams.md), or point "
            "--teams or LEADERBOARD_TEAMS at it"
        ],
    )


def test_every_error_is_reported_not_just_the_first(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    path.write_bytes(
        b"team,username,emails\n"
        b"a,al ice,x@y\n"  # bad username
        b"b,bob,x@y\n"
        b"c,carol,x@y\n"  # email of bob
        b"d,d\xffn,\n"  # not UTF-8
        b'"e,eve,\n'  # unbalanced quote
        b"f,frank,\n"
    )
    _, errors = check_roster(path)
    assert [e.split(": ")[0] for e in errors] == [
        f"{path}:2:username",
        f"{path}:4:emails",
        f"{path}:5:-",
        f"{path}:6:-",
    ]


@pytest.mark.parametrize(
    "roster",
    [REPO / "teams.csv", REPO / "pipeline" / "sim" / "sample_teams.csv"],
    ids=["repo", "sim-sample"],
)
def test_shipped_rosters_are_valid(roster: Path) -> None:
    if not roster.exists():
        pytest.skip(f"{roster} not written yet")
    assert check_roster(roster)[1] == []


def test_bots_file(tmp_path: Path) -> None:
    path = tmp_path / "bots.txt"
    path.write_text(
        "# reviewed bots\n\nGhost\n  renovate-bot  # dependency updates\nCI@Example.org\n",
        encoding="utf-8",
    )
    assert read_bots(path) == Bots(
        usernames=frozenset({"ghost", "renovate-bot"}), emails=frozenset({"ci@example.org"})
    )


def test_missing_bots_file_means_no_bots(tmp_path: Path) -> None:
    assert read_bots(tmp_path / "bots.txt") == Bots()


def test_bad_bots_entries_name_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "bots.txt"
    path.write_bytes(b"ok-bot\nnot a bot\nx@\n\xff\n")
    assert check_bots(path) == (
        None,
        [
            f"{path}:2:-: bad username 'not a bot': it contains a space (use the GitLab "
            "username, as in @alice, not the display name)",
            f"{path}:3:-: bad email 'x@': expected local@domain without spaces",
            f"{path}:4:-: not UTF-8: byte 0xFF at byte 1 of the line; save it as CSV UTF-8 (in a "
            "spreadsheet: Save as > CSV UTF-8)",
        ],
    )


def test_the_listed_column_says_who_is_named_on_the_board() -> None:
    """`listed`, optional: yes (the default, any case) or no; a person marked no on one row is
    marked no on all (tests/roster_cases/bad/44_listed says what disagreeing rows give)."""
    roster = read_roster(CASES / "good" / "listed_column.csv")
    assert roster.unlisted == frozenset({"alice", "dan"})
    assert [m.username for m in roster.memberships] == ["alice", "bob", "carol", "carol", "dan"]
    assert read_roster(CASES / "good" / "minimal_columns.csv").unlisted == frozenset()
