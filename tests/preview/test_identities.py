"""The MR report's claimable-emails and bots sections on small marts: limits and empty cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from pipeline.preview.identities import CLAIMS_LIMIT, bots_section, claims_section
from pipeline.schema import MARTS

SEEN = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)


def marts(unmatched: list[dict[str, Any]], places: list[dict[str, Any]]) -> dict[str, pa.Table]:
    rows = {"unmatched_authors": unmatched, "unmatched_projects": places, "bot_activity": []}
    return {name: pa.Table.from_pylist(data, schema=MARTS[name]) for name, data in rows.items()}


def author(n: int) -> dict[str, Any]:
    return {"author_email": f"u{n:02d}@example.org", "author_name": f"U{n}", "commits": 20 - n,
            "projects": 4, "first_seen": SEEN, "last_seen": SEEN}  # fmt: skip


def place(n: int, project: int) -> dict[str, Any]:
    return {"author_email": f"u{n:02d}@example.org", "project_id": project,
            "path_with_namespace": f"acme/p{project}", "web_url": None,
            "commits": project}  # fmt: skip


def test_top_emails_by_commits_with_their_first_projects() -> None:
    lines = claims_section(
        marts([author(n) for n in range(12)], [place(0, p) for p in (1, 2, 3, 4)]), True
    )
    table = [line for line in lines if line.startswith("| u")]
    assert len(table) == CLAIMS_LIMIT
    assert table[0] == (
        "| u00@example.org | U0 | 20 | acme/p4 (4)<br>acme/p3 (3)<br>acme/p2 (2)<br>and 1 more "
        "| 2026-08-01 | TEAM,USERNAME,u00@example.org |"
    )
    assert table[1].startswith("| u01@example.org | U1 | 19 | and 4 more |")
    assert lines[-2:] == ["2 more not shown.", ""]


def test_nothing_to_claim_and_no_bots_say_so() -> None:
    empty = marts([], [])
    assert claims_section(empty, False)[2] == (
        "Every counted commit email matches someone (or is a bot's)."
    )
    assert bots_section(empty, False)[2].startswith("No bots")


def test_project_paths_link_to_their_project_only_over_http() -> None:
    rows = [
        {**place(0, 1), "web_url": "https://gitlab.example.com/acme/p1"},
        {**place(0, 2), "path_with_namespace": "acme/[x](javascript:1)", "web_url": "javascript:1"},
        {**place(0, 3), "web_url": "https://gitlab.example.com/a b)(c"},
    ]
    lines = claims_section(marts([author(0)], rows), True)
    row = next(line for line in lines if line.startswith("| u00"))
    assert "[acme/p1](https://gitlab.example.com/acme/p1) (1)" in row
    assert "acme/\\[x\\](javascript:1) (2)" in row  # escaped brackets: plain text
    assert "[acme/\\[x" not in row and "(javascript:1))" not in row
    assert "[acme/p3](https://gitlab.example.com/a%20b%29%28c) (3)" in row
