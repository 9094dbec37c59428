"""commits_coauthored: counted commits whose Co-authored-by people are members other than the
author, matched strictly by email, bots never; unmatched co-authors join unmatched_authors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.roster.teams import Bots
from tests.queries.seed import NOREPLY, Raw, build, days_before, member, roster, rows, window

UTC = dt.UTC
BOB = ("Bob", f"bob@{NOREPLY}")


CAROL = ("Carol", f"carol@{NOREPLY}")
SEVERAL = [
    BOB,
    ("Alice A.", f"alice@{NOREPLY}"),
    ("Stranger", "Stranger@Example.org"),
    ("CI", "ci@bots.example"),
    ("Bob B.", f"BOB@{NOREPLY}"),
]


def seeded(tmp_path: Path) -> Raw:
    return (
        Raw(tmp_path)
        .project(1)
        .project(2, fork_of=1)
        .user(1, "alice")
        .user(2, "bob")
        .user(3, "carol")
        # several co-authors: bob (noreply), alice herself under another address, a stranger,
        # a bots.txt email, and bob again in other case: bob once, the stranger unmatched
        .commit(1, "c1", "alice@laptop", days_before(2), name="Alice", coauthors=SEVERAL)
        # the same SHA held by a fork and its upstream is one commit: carol once
        .commit(1, "c2", f"bob@{NOREPLY}", days_before(3), coauthors=[CAROL])
        .commit(2, "c2", f"bob@{NOREPLY}", days_before(3), coauthors=[CAROL])
        # the author naming their own email earns nothing more; a merge commit counts nothing
        .commit(1, "c3", f"carol@{NOREPLY}", days_before(4), coauthors=[CAROL])
        .commit(1, "c4", "x@example.org", days_before(1), parents=2, coauthors=[BOB])
        # attributed by authored date: carol joined blue 10 days before as_of
        .commit(1, "c5", "y@example.org", days_before(20), name="Y", coauthors=[CAROL])
    )


def test_credit_goes_to_members_other_than_the_author(tmp_path: Path) -> None:
    team = roster(
        member("red", "alice"),
        member("red", "bob"),
        member("blue", "carol", joined="2026-08-13"),
        emails={"alice": ("alice@laptop",)},
    )
    marts = build(seeded(tmp_path), team, Bots(emails=frozenset({"ci@bots.example"})))
    contributions = [r for r in rows(marts["contributions"], "username", "kind", "item_id")
                     if r[1] == "commit_coauthored"]  # fmt: skip
    assert sorted(contributions) == [
        ("bob", "commit_coauthored", "c1"),
        ("carol", "commit_coauthored", "c2"),
    ]
    counts = window(marts["leaderboard_users"], "30d", "team", "username", "commits_coauthored")
    assert sorted(counts) == [("blue", "carol", 1), ("red", "alice", 0), ("red", "bob", 1)]
    unmatched = rows(marts["unmatched_authors"], "author_email", "author_name", "commits")
    assert ("stranger@example.org", "Stranger", 1) in unmatched
    assert ("y@example.org", "Y", 1) in unmatched  # c5's author; carol was in no team then
    assert not any(r[0] == "ci@bots.example" for r in unmatched)
