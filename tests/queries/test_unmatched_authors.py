"""unmatched_authors: non-bot emails that belong to no member, over the counted commits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.queries.seed import NOREPLY, Raw, build, days_before, member, roster, rows

COLUMNS = ["author_email", "author_name", "commits", "projects", "first_seen", "last_seen"]
UTC = dt.UTC


def test_exact_rows(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .project(2, fork_of=1)
        .project(3)
        .user(1, "alice")
        .commit(
            1, "s1", " Stranger@Example.org", dt.datetime(2026, 8, 1, tzinfo=UTC), name="Old Name"
        )
        .commit(
            2, "s1", "stranger@example.org", dt.datetime(2026, 8, 1, tzinfo=UTC), name="Old Name"
        )
        .commit(
            3, "s2", "STRANGER@example.org", dt.datetime(2026, 8, 10, tzinfo=UTC), name="New Name"
        )
        .commit(3, "s3", "stranger@example.org", days_before(400), name="Ancient")
        .commit(3, "s4", "stranger@example.org", days_before(1), name="Merger", parents=2)
        .commit(3, "x1", "tie@example.org", dt.datetime(2026, 8, 5, tzinfo=UTC), name="A")
        .commit(3, "x2", "tie@example.org", dt.datetime(2026, 8, 5, tzinfo=UTC), name="B")
        .commit(1, "m1", f"alice@{NOREPLY}", days_before(1))
    )
    # alice's own commit authored outside any membership is hers, not unmatched
    table = build(raw, roster(member("red", "alice", joined="2026-08-23")))["unmatched_authors"]
    assert table.column_names == COLUMNS
    assert rows(table) == [
        (
            "stranger@example.org",
            "New Name",
            2,
            3,
            dt.datetime(2026, 8, 1, tzinfo=UTC),
            dt.datetime(2026, 8, 10, tzinfo=UTC),
        ),
        (
            "tie@example.org",
            "B",
            2,
            1,
            dt.datetime(2026, 8, 5, tzinfo=UTC),
            dt.datetime(2026, 8, 5, tzinfo=UTC),
        ),
    ]
