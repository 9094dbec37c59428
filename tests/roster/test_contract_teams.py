"""Contract audit of teams.csv: every error class with its LINE:COLUMN, odd but fine inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.roster.teams import check_roster


def check(tmp_path: Path, data: bytes) -> tuple[list[tuple[str, int, int | None]], list[str]]:
    """(team, username, line) of a valid roster, and the errors as `LINE:COLUMN` prefixes."""
    path = tmp_path / "teams.csv"
    path.write_bytes(data)
    roster, errors = check_roster(path)
    for error in errors:
        assert error.startswith(f"{path}:") and "\n" not in error and "\r" not in error
    members = [(m.team, m.username, m.line) for m in roster.memberships] if roster else []
    return members, [e[len(str(path)) + 1 :].split(": ")[0] for e in errors]


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"", ["1:-"]),
        (b"\xef\xbb\xbf", ["1:-"]),
        (b"team,username\n", ["1:-"]),  # no members
        (b"team,user\nweb,alice\n", ["1:username", "1:user"]),
        (b"team,username,team\nweb,alice,x\n", ["1:team"]),
        (b"team,username,foo\nweb,alice,x\n", ["1:foo"]),
        (b"team,username\nweb\nweb,alice,x\n", ["2:-", "3:-"]),
        (b'team,username\nweb,alice\n"web,bob\n', ["3:-"]),  # an unbalanced quote
        (b"team,username\n ,alice\nweb, \n", ["2:team", "3:username"]),
        (b"team,username,joined\nweb,alice,2024-02-30\n", ["2:joined"]),
        (b"team,username,joined,left\nweb,alice,2024-03-01,2024-03-01\n", ["2:left"]),
        (b"team,username,emails\nweb,alice,a b@x\n", ["2:emails"]),
        (b"team,username,emails\nweb,alice,a@x\napi,Bob,A@X\n", ["3:emails"]),
        (b"team,username\nweb,alice\nweb,ALICE\n", ["3:-"]),
        (b"team,username,left\nweb,alice,2025-01-01\napi,alice,\n", ["3:-"]),
        (b"team,username\nw\xe9b,alice\nweb,bob\n", ["2:-"]),
        (b'team,username\n"multi\nw\xe9b",alice\n', ["3:-"]),  # the line with the byte
        (b'team,username,joined\n"multi\nline",alice,bad\n', ["2:joined"]),  # its first line
    ],
)
def test_error_lines_and_columns(tmp_path: Path, data: bytes, where: list[str]) -> None:
    assert check(tmp_path, data) == ([], where)


def test_two_row_errors_name_the_later_row_and_mention_the_earlier(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    path.write_bytes(
        b"team,username,emails,joined,left\n"
        b"web,alice,a@x,2024-01-01,2024-06-01\n"
        b"\n"
        b'"api\nteam",Alice,,2024-05-01,\n'
        b"ops,bob,A@x,,\n"
    )
    assert check_roster(path)[1] == [
        f"{path}:4:-: membership from 2024-05-01 onwards overlaps line 2 "
        "(team 'web', from 2024-01-01 until 2024-06-01) ('alice' and 'Alice' are one person)",
        f"{path}:6:emails: email 'a@x' is already listed for 'alice' on line 2",
    ]


@pytest.mark.parametrize(
    "username", ["a.", "b.git", "c.atom", "-d", "j k", "l@m", "\u00e9", "x/y", "a+b", "B.Git.git"]
)
def test_bad_usernames(tmp_path: Path, username: str) -> None:
    data = f"team,username\nweb,{username}\n".encode()
    assert check(tmp_path, data) == ([], ["2:username"])


@pytest.mark.parametrize(
    "username", ["a", ".e", "_f", "f_g-h.i", "OKhan", "a.gitx", "x.atom1", "Foo.GIT"]
)
def test_good_usernames_are_lower_cased(tmp_path: Path, username: str) -> None:
    data = f"team,username\nweb,{username}\n".encode()
    assert check(tmp_path, data) == ([("web", username.lower(), 2)], [])


def test_odd_but_fine_inputs(tmp_path: Path) -> None:
    data = (
        b"\xef\xbb\xbf Team , USERNAME ,emails\r\n"  # BOM, spaces, case in the header
        b'  "Data, Analytics"  , alice ,"me@laptop;; A@B.example ;"\r\n'
        b'"The ""A""\nteam",bob,\r\n'  # a quoted line break and doubled quotes
        b"   \r\n"  # a blank line
        b"web,carol,\r"  # a lone CR ends a line too
        b"web,dave,\n"
    )
    assert check(tmp_path, data) == (
        [
            ("Data, Analytics", "alice", 2),
            ('The "A"\nteam', "bob", 3),
            ("web", "carol", 6),
            ("web", "dave", 7),
        ],
        [],
    )


def test_error_lines_stay_on_one_line(tmp_path: Path) -> None:
    _, where = check(tmp_path, b'team,username,"x\ny"\nweb,alice,1\n')
    assert where == ["1:x\\ny"]
