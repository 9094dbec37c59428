"""unmatched_projects: where each unmatched email's counted commits sit, one row per project."""

from __future__ import annotations

from pathlib import Path

from tests.queries.seed import NOREPLY, Raw, build, days_before, member, roster, rows

COLUMNS = ["author_email", "project_id", "path_with_namespace", "web_url", "commits"]
URL = "https://gitlab.example.com/acme/p"


def test_exact_rows(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .project(2, fork_of=1)
        .project(3, path="acme/<b>tools</b>")
        .user(1, "alice")
        .commit(1, "s1", "Stranger@Example.org", days_before(10))
        .commit(2, "s1", "stranger@example.org", days_before(10))  # the fork holds it too
        .commit(3, "s2", "stranger@example.org", days_before(5))
        .commit(3, "s3", "stranger@example.org", days_before(4))
        .commit(3, "s4", "stranger@example.org", days_before(400))  # outside the horizon
        .commit(3, "s5", "stranger@example.org", days_before(1), parents=2)  # a merge
        .commit(2, "o1", "other@laptop", days_before(3))
        .commit(1, "m1", f"alice@{NOREPLY}", days_before(1))  # alice's: matched
    )
    table = build(raw, roster(member("red", "alice")))["unmatched_projects"]
    assert table.column_names == COLUMNS
    assert rows(table) == [
        ("stranger@example.org", 3, "acme/<b>tools</b>", f"{URL}3", 2),
        ("stranger@example.org", 1, "acme/p1", f"{URL}1", 1),
        ("stranger@example.org", 2, "acme/p2", f"{URL}2", 1),
        ("other@laptop", 2, "acme/p2", f"{URL}2", 1),
    ]


def test_one_row_per_project_of_each_unmatched_email(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .project(2)
        .commit(1, "a1", "x@example.org", days_before(2))
        .commit(2, "a2", "x@example.org", days_before(3))
        .commit(2, "b1", "y@example.org", days_before(3))
    )
    marts = build(raw, roster(member("red", "alice")))
    per_email = rows(marts["unmatched_authors"], "author_email", "projects")
    places = rows(marts["unmatched_projects"], "author_email")
    assert per_email == [("x@example.org", 2), ("y@example.org", 1)]
    assert [(email, places.count((email,))) for email, _ in per_email] == per_email
