"""The column-wise page conversion equals the per-item rows made into a table, value for value."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pipeline import schema
from pipeline.extract import columns
from pipeline.extract.commits import commits_table
from pipeline.extract.mrs_and_issues import issues_table, merge_requests_table
from pipeline.times import parse_optional

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


def times_of(table: pa.Table, name: str) -> list[object]:
    return table.column(name).to_pylist()


def test_commit_times_in_every_form_are_utc() -> None:
    items = with_times(load("merge_request_commits.json")[:2], ["authored_date"])
    table = commits_table(items, 7, AT)
    expected = [parse_optional(form) for form in TIMES for _ in range(2)]
    assert times_of(table, "authored_date") == expected
    assert table.select(schema.RAW["commits"].names).schema == schema.RAW["commits"]


def test_merge_request_times_in_every_form_and_the_merge_user_fallback() -> None:
    items = with_times(load("merge_requests.json")[:2], ["created_at", "updated_at", "merged_at"])
    del items[0]["merged_by"]  # falls back to merge_user
    items[1]["author"] = None
    table = merge_requests_table(items, AT)
    expected = [parse_optional(form) for form in TIMES for _ in range(2)]
    assert times_of(table, "merged_at") == times_of(table, "created_at") == expected
    assert table.column("merged_by").to_pylist()[0] == columns.users([items[0]["merge_user"]])[0]
    assert table.column("author").to_pylist()[1] is None


def test_an_empty_page_is_an_empty_table() -> None:
    assert issues_table([], AT).equals(schema.RAW["issues"].empty_table())


def test_timestamps_equal_parse_optional() -> None:
    expected = [parse_optional(value) for value in TIMES]
    assert columns.timestamps(TIMES).to_pylist() == expected


@pytest.mark.parametrize("bad", ["2026-11-27T10:00:00", "2026-11-27", 1732700000])
def test_timestamps_refuse_what_parse_optional_refuses(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_optional(bad)
    with pytest.raises(ValueError):
        columns.timestamps(["2026-11-27T10:00:00Z", bad])
