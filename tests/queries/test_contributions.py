"""contributions: every counted item of the 365-day horizon with its team and time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.queries.seed import NOREPLY, Raw, build, days_before, member, roster, rows, t

COLUMNS = ["team", "username", "kind", "item_id", "project_id", "title", "web_url", "at"]
UTC = dt.UTC


def test_exact_rows(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .commit(1, "abc123", f"alice@{NOREPLY}", t("2026-08-20T10:00:00+02:00"))
        .mr(10, 1, "alice", t("2026-08-01T00:00:00Z"), merged=t("2026-08-02T00:00:00Z"))
        .issue(
            20,
            1,
            "alice",
            t("2025-08-23T12:00:00Z"),
            closed=t("2026-08-03T00:00:00Z"),
            closed_by="alice",
        )
        .issue(21, 1, "alice", t("2025-08-23T11:59:59Z"))  # just outside the horizon
    )
    table = build(raw, roster(member("red", "alice")))["contributions"]
    assert table.column_names == COLUMNS
    web = "https://gitlab.example.com"
    assert rows(table) == [
        (
            "red",
            "alice",
            "issue_opened",
            "20",
            1,
            "issue 20",
            f"{web}/acme/p1/-/issues/20",
            dt.datetime(2025, 8, 23, 12, 0, tzinfo=UTC),
        ),
        (
            "red",
            "alice",
            "mr_opened",
            "10",
            1,
            "mr 10",
            f"{web}/acme/p1/-/merge_requests/10",
            dt.datetime(2026, 8, 1, tzinfo=UTC),
        ),
        (
            "red",
            "alice",
            "mr_merged",
            "10",
            1,
            "mr 10",
            f"{web}/acme/p1/-/merge_requests/10",
            dt.datetime(2026, 8, 2, tzinfo=UTC),
        ),
        (
            "red",
            "alice",
            "issue_closed",
            "20",
            1,
            "issue 20",
            f"{web}/acme/p1/-/issues/20",
            dt.datetime(2026, 8, 3, tzinfo=UTC),
        ),
        (
            "red",
            "alice",
            "commit",
            "abc123",
            1,
            "commit abc123",
            f"{web}/acme/p1/-/commit/abc123",
            dt.datetime(2026, 8, 20, 8, 0, tzinfo=UTC),
        ),
    ]
    assert str(table.schema.field("at").type) == "timestamp[us, tz=UTC]"


def test_non_members_and_missing_times_are_not_contributions(tmp_path: Path) -> None:
    raw = (
        Raw(tmp_path)
        .project(1)
        .user(1, "alice")
        .mr(10, 1, "mallory", days_before(1))
        .issue(20, 1, "alice", days_before(400), closed=days_before(1), closed_by=None)
    )
    table = build(raw, roster(member("red", "alice")))["contributions"]
    assert rows(table) == []
