"""The column-wise page conversion equals the per-item rows made into a table, value for value."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pipeline import schema
from pipeline.extract import columns, rows
from pipeline.extract.store.writer import PartWriter

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "gitlab-payloads"
AT = dt.datetime(2026, 8, 23, 0, 0, 4, tzinfo=dt.UTC)
TIMES = [
    "2026-11-27T10:00:00.000Z",
    "2026-11-27T18:52:12.000+01:00",
    "2026-11-27T18:52:12.000+05:30",
    "2026-11-27T01:02:03-07:00",
    "2026-11-27T10:00:00.1Z",
    "2026-11-27T10:00:00.123456+00:00",
    "2026-03-29T02:30:00.999999-12:00",
    "",
    None,
]


def load(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    return data


def per_item(
    table: str, items: Sequence[Mapping[str, Any]], to_row: Callable[..., Any]
) -> pa.Table:
    writer = PartWriter(Path("unused.parquet"), schema.RAW[table])
    return writer.table_of([to_row(item) for item in items])


def with_times(items: list[dict[str, Any]], fields: Sequence[str]) -> list[dict[str, Any]]:
    """Every item again once per test time form, in every time field."""
    varied = []
    for form in TIMES:
        for item in items:
            copied = copy.deepcopy(item)
            for name in fields:
                copied[name] = form
            varied.append(copied)
    return varied


def assert_same(expected: pa.Table, actual: pa.Table) -> None:
    assert actual.schema == expected.schema
    assert actual.to_pylist() == expected.to_pylist()
    assert actual.equals(expected)


def test_commits_equal_per_item_rows() -> None:
    items = load("merge_request_commits.json")
    items += with_times(items[:2], ["authored_date", "committed_date"])
    items[0]["parent_ids"] = None
    assert_same(
        per_item("commits", items, lambda i: rows.commit_to_row(i, 7, AT)),
        columns.commits_table(items, 7, AT),
    )


def test_merge_requests_equal_per_item_rows() -> None:
    items = load("merge_requests.json")
    items += with_times(items[:2], ["created_at", "updated_at", "merged_at", "closed_at"])
    del items[0]["merged_by"]  # falls back to merge_user
    items[1]["author"] = None
    assert_same(
        per_item("merge_requests", items, lambda i: rows.merge_request_to_row(i, AT)),
        columns.merge_requests_table(items, AT),
    )


def test_issues_equal_per_item_rows() -> None:
    items = load("issues.json")
    items += with_times(items[:2], ["created_at", "updated_at", "closed_at"])
    assert_same(
        per_item("issues", items, lambda i: rows.issue_to_row(i, AT)),
        columns.issues_table(items, AT),
    )


def test_an_empty_page_is_an_empty_table() -> None:
    assert_same(schema.RAW["issues"].empty_table(), columns.issues_table([], AT))


def test_timestamps_equal_parse_time() -> None:
    expected = [rows.parse_time(value) for value in TIMES]
    assert columns.timestamps(TIMES).to_pylist() == expected


@pytest.mark.parametrize("bad", ["2026-11-27T10:00:00", "2026-11-27", 1732700000])
def test_timestamps_refuse_what_parse_time_refuses(bad: object) -> None:
    with pytest.raises(ValueError):
        rows.parse_time(bad)
    with pytest.raises(ValueError):
        columns.timestamps(["2026-11-27T10:00:00Z", bad])
