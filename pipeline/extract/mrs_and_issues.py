"""Merge requests and issues: a group's listings (`/groups/:id/...`, subgroups included) or a
project's named on its own, oldest first, resumed by `updated_after` the last watermark.

Group listings span subgroups but skip archived projects unless `non_archived=false`
(`lib/api/merge_requests.rb`, `lib/api/issues.rb`). Ordering by `created_at` keeps an item
updated while the listing pages in its place, and a new one joins the end; incremental runs ask
`updated_after` the last watermark less OVERLAP and add their rows beside the earlier parts
(staging SQL keeps the latest `updated_at` per id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from pipeline.extract.columns import Item, table_of, timestamps, users
from pipeline.extract.extraction import OVERLAP, Extraction, Listed, Order, Watermark
from pipeline.extract.listing import Listing
from pipeline.times import format_utc

#: raw table -> the resource's path segment and its label in error lines
KINDS = {"merge_requests": "merge requests", "issues": "issues"}


def item_listing(
    ex: Extraction, table: str, key: str, base: str, owner: tuple[str, str]
) -> Listing:
    """`table` ("merge_requests" or "issues") of a group (`g<id>`, base `/groups/<id>`) or of a
    project named on its own (`p<id>`, base `/projects/<id>`)."""
    mark = Watermark(ex, f"{table}/{key}", "updated_at")
    since = ex.since if mark.previous is None else max(ex.since, mark.previous - OVERLAP)
    params: dict[str, Any] = {"scope": "all", "state": "all", "order_by": "created_at"}
    params |= {"sort": "asc", "updated_after": format_utc(since, "seconds")}
    if base.startswith("/groups/"):
        params["non_archived"] = "false"
    to_table = merge_requests_table if table == "merge_requests" else issues_table
    return ex.start(
        Listed(
            table=table,
            key=key,
            path=f"{base}/{table}",
            params=params,
            what=f"{KINDS[table]} of {owner[0]} {owner[1]}",
            owner=owner,
            columns=lambda items: to_table(items, ex.extracted_at),
            order=Order("created_at"),
            # a listing the last state never saw is listed in full, replacing its folder
            replaces=mark.previous is None,
            on_done=mark.done,
            observe=mark.observe,
        )
    )


def merge_requests_table(items: Sequence[Item], extracted_at: dt.datetime) -> pa.Table:
    """Items of a merge request listing as rows of `schema.MERGE_REQUESTS`."""
    gets = [item.get for item in items]
    # `merged_by` is deprecated in favour of `merge_user` (lib/api/entities/merge_request_basic.rb);
    # older or trimmed payloads may carry only one of them: fall back when the key is absent
    merged_by = [
        item["merged_by"] if "merged_by" in item else item.get("merge_user") for item in items
    ]
    columns = _shared(items, gets) | {
        "merged_at": timestamps([get("merged_at") for get in gets]),
        "merged_by": users(merged_by),
    }
    return table_of("merge_requests", columns, len(items), extracted_at)


def issues_table(items: Sequence[Item], extracted_at: dt.datetime) -> pa.Table:
    """Items of an issue listing as rows of `schema.ISSUES`."""
    gets = [item.get for item in items]
    columns = _shared(items, gets) | {"closed_at": timestamps([get("closed_at") for get in gets])}
    return table_of("issues", columns, len(items), extracted_at)


def _shared(items: Sequence[Item], gets: list[Any]) -> dict[str, Any]:
    """The columns merge requests and issues share. No web_url: staging SQL derives it from the
    project's and the iid (`/-/merge_requests/<iid>`, `/-/issues/<iid>`)."""
    return {
        "id": [item["id"] for item in items],
        "iid": [get("iid") for get in gets],
        "project_id": [get("project_id") for get in gets],
        "title": [get("title") for get in gets],
        "created_at": timestamps([get("created_at") for get in gets]),
        "updated_at": timestamps([get("updated_at") for get in gets]),
        "author": users([get("author") for get in gets]),
        "closed_by": users([get("closed_by") for get in gets]),
    }
