"""Co-authors from commit trailers: GitLab's parsed trailers first, git's rules on the message
where an older GitLab sends none, `Name <email>` values, malformed ones counted."""

from __future__ import annotations

import pytest

from pipeline.extract.trailers import coauthors, identity, message_trailers


def test_gitlabs_extended_trailers_with_keys_in_any_case() -> None:
    # lib/api/entities/commit.rb: repeated keys as arrays; keys keep the spelling written
    item = {
        "extended_trailers": {
            "Co-authored-by": ["Bob O'Brien <Bob.OBrien@Acme.Example>", "Chloe <4-chloe@nr>"],
            "CO-AUTHORED-BY": ["Bob again <bob.obrien@acme.example>"],
            "Signed-off-by": ["Alice <alice@acme.example>"],
        },
        "trailers": {"Co-authored-by": "Chloe <4-chloe@nr>"},
        "message": "Subject\n\nCo-authored-by: Ignored <not@read.example>\n",
    }
    assert coauthors(item) == (
        [
            {"name": "Bob O'Brien", "email": "Bob.OBrien@Acme.Example"},
            {"name": "Chloe", "email": "4-chloe@nr"},
        ],
        0,
    )


def test_a_single_value_and_the_older_trailers_hash() -> None:
    assert coauthors({"extended_trailers": {"co-authored-by": "Kim <kim@x.example>"}}) == (
        [{"name": "Kim", "email": "kim@x.example"}],
        0,
    )
    # a GitLab with `trailers` but not `extended_trailers` (the last value of each key)
    assert coauthors({"trailers": {"Co-Authored-By": "Kim <kim@x.example>"}})[0] == [
        {"name": "Kim", "email": "kim@x.example"}
    ]
    assert coauthors({"extended_trailers": {}, "message": "S\n\nCo-authored-by: A <a@b>"}) == (
        [],
        0,
    )  # GitLab parsed the message and found none: the message is not read again


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane Doe <jane@example.org>", {"name": "Jane Doe", "email": "jane@example.org"}),
        ("  Jane   <jane@laptop>  ", {"name": "Jane", "email": "jane@laptop"}),
        ("<jane@example.org>", {"name": "", "email": "jane@example.org"}),
        ("Jane Doe", None),
        ("Jane <>", None),
        ("Jane <jane at example dot org>", None),
        ("Jane <jane@example.org", None),
        ("jane@example.org", None),
    ],
)
def test_identities_as_git_writes_them(value: str, expected: dict[str, str] | None) -> None:
    assert identity(value) == expected


def test_malformed_values_are_ignored_and_counted() -> None:
    item = {
        "extended_trailers": {
            "Co-authored-by": ["Dmitri Ivanov", "Kim <kim at acme dot example>", "Hiro <h@x.io>"]
        }
    }
    assert coauthors(item) == ([{"name": "Hiro", "email": "h@x.io"}], 2)


MESSAGE = """Add the importer

It reads the files in one pass.

Co-authored-by: Erin
  Example <erin@acme.example>
co-authored-by: Nadia <nadia@acme.example>
"""


def test_an_older_gitlab_sends_the_message_read_by_gits_rules() -> None:
    assert coauthors({"message": MESSAGE}) == (
        [
            {"name": "Erin Example", "email": "erin@acme.example"},
            {"name": "Nadia", "email": "nadia@acme.example"},
        ],
        0,
    )


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # the subject alone is never a trailer block
        ("Co-authored-by: A <a@b.example>", []),
        # trailers followed by another paragraph: not the last paragraph
        ("S\n\nCo-authored-by: A <a@b.example>\n\nA closing remark.", []),
        # a plain line among them, and no trailer git writes itself: not a trailer block
        ("S\n\nCo-authored-by: A <a@b.example>\nThanks to all who tested.", []),
        # with Signed-off-by, a quarter of the lines being trailers is enough (git's 25% rule)
        (
            "S\n\nReviewed in the meeting.\nSigned-off-by: F <f@x>\nCo-authored-by: K <k@x>",
            [("Signed-off-by", "F <f@x>"), ("Co-authored-by", "K <k@x>")],
        ),
        # comment lines are not part of the message git reads
        ("S\n\n# a comment\nCo-authored-by: A <a@b>", [("Co-authored-by", "A <a@b>")]),
        # CRLF-free folded value, several spaces before the colon
        ("S\n\nCo-authored-by : A\n\tB <ab@x>", [("Co-authored-by", "A B <ab@x>")]),
    ],
)
def test_the_trailer_block_is_found_as_git_finds_it(
    message: str, expected: list[tuple[str, str]]
) -> None:
    assert message_trailers(message) == expected
