"""A page of commits, merge requests or issues converted column-wise straight to an Arrow table.

Equal, value for value, to `rows.*_to_row` followed by `PartWriter.table_of`, but without the
per-item dicts and datetimes: a page costs a few list comprehensions and one vectorised
timestamp cast, which matters because conversion holds the GIL the scheduler thread needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from pipeline import schema
from pipeline.extract.rows import Item, parse_time

TIMESTAMP = pa.timestamp("us", tz="UTC")
USER_FIELDS = ("id", "username", "name", "state")


def timestamps(values: Sequence[object]) -> pa.Array:
    """GitLab times (`Z` or an offset) cast in bulk; "" and None become null."""
    cleaned = [None if value == "" else value for value in values]
    try:
        return pa.array(cleaned, pa.string()).cast(TIMESTAMP)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Arrow refuses what `parse_time` refuses (no zone, not a string): the per-item path
        # then raises the same error, or reads a form Arrow does not know the same way.
        return pa.array([parse_time(value) for value in values], TIMESTAMP)


def users(values: Sequence[object]) -> list[dict[str, Any] | None]:
    """Embedded user objects reduced to the basic fields (see `rows.user_ref`)."""
    return [
        {key: value.get(key) for key in USER_FIELDS} if isinstance(value, Mapping) else None
        for value in values
    ]


def commits_table(items: Sequence[Item], project_id: int, extracted_at: dt.datetime) -> pa.Table:
    """Items of /projects/:id/repository/commits, as `rows.commit_to_row` would write them."""
    gets = [item.get for item in items]
    columns = {
        "project_id": [project_id] * len(items),
        "id": [item["id"] for item in items],
        "short_id": [get("short_id") for get in gets],
        "title": [get("title") for get in gets],
        "author_name": [get("author_name") for get in gets],
        "author_email": [get("author_email") for get in gets],
        "authored_date": timestamps([get("authored_date") for get in gets]),
        "committer_name": [get("committer_name") for get in gets],
        "committer_email": [get("committer_email") for get in gets],
        "committed_date": timestamps([get("committed_date") for get in gets]),
        "parent_ids": [list(get("parent_ids") or []) for get in gets],
        "web_url": [get("web_url") for get in gets],
    }
    return _table("commits", columns, len(items), extracted_at)


def merge_requests_table(items: Sequence[Item], extracted_at: dt.datetime) -> pa.Table:
    """Items of a merge request listing, as `rows.merge_request_to_row` would write them."""
    gets = [item.get for item in items]
    # the same `merged_by` / `merge_user` fallback as the per-item path
    merged_by = [
        item["merged_by"] if "merged_by" in item else item.get("merge_user") for item in items
    ]
    columns = _item_columns(items, gets) | {
        "merged_at": timestamps([get("merged_at") for get in gets]),
        "merged_by": users(merged_by),
    }
    return _table("merge_requests", columns, len(items), extracted_at)


def issues_table(items: Sequence[Item], extracted_at: dt.datetime) -> pa.Table:
    """Items of an issue listing, as `rows.issue_to_row` would write them."""
    gets = [item.get for item in items]
    return _table("issues", _item_columns(items, gets), len(items), extracted_at)


def _item_columns(items: Sequence[Item], gets: list[Any]) -> dict[str, Any]:
    """The columns merge requests and issues share."""
    return {
        "id": [item["id"] for item in items],
        "iid": [get("iid") for get in gets],
        "project_id": [get("project_id") for get in gets],
        "title": [get("title") for get in gets],
        "state": [get("state") for get in gets],
        "created_at": timestamps([get("created_at") for get in gets]),
        "updated_at": timestamps([get("updated_at") for get in gets]),
        "closed_at": timestamps([get("closed_at") for get in gets]),
        "web_url": [get("web_url") for get in gets],
        "author": users([get("author") for get in gets]),
        "closed_by": users([get("closed_by") for get in gets]),
    }


def _table(table: str, columns: dict[str, Any], count: int, extracted_at: dt.datetime) -> pa.Table:
    columns["_extracted_at"] = pa.array([extracted_at] * count, TIMESTAMP)
    declared = schema.RAW[table]
    return pa.Table.from_pydict(
        {name: columns.get(name, [None] * count) for name in declared.names}, schema=declared
    )
