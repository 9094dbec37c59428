"""Review credit's listings: each project's approval and comment events (`/projects/:id/events`).

They go through the same `Extraction.listing` machinery as every other per-project listing
(paging, fetch-ahead, retries, completeness checks, the manifest record, error lines).
`after` takes a date and is exclusive (GitLab keeps events created after the end of that day),
so a listing asks from the day before the first day it needs; an incremental run re-reads the
whole day of its watermark and staging SQL deduplicates by event id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.event_rows import event_to_row
from pipeline.extraction import OVERLAP, Extraction, ProjectInfo
from pipeline.listing import Listing
from pipeline.scheduler import Source

TABLE = "events"
#: (key suffix, label in the error line, query): approvals of MRs, and every comment (which
#: ones are on MRs, and by a person rather than the system, the SQL decides from `note`).
LISTINGS = (
    ("approved", "approval events", {"action": "approved", "target_type": "merge_request"}),
    ("commented", "comment events", {"action": "commented"}),
)


def event_listings(ex: Extraction, info: ProjectInfo) -> list[Listing]:
    """The project's two event listings (one request each when nothing happened)."""
    return [event_listing(ex, info, suffix, label, query) for suffix, label, query in LISTINGS]


def event_listing(
    ex: Extraction, info: ProjectInfo, suffix: str, label: str, query: Mapping[str, str]
) -> Listing:
    key = f"p{info.id}/{suffix}"
    watermark_key = f"{TABLE}/{key}"
    previous = ex.previous.watermarks.get(watermark_key) if ex.previous else None
    first_day = first_day_needed(ex.since, None if ex.full else previous)
    started = dt.datetime.now(dt.UTC)
    newest: list[dt.datetime] = []

    def convert(item: Mapping[str, Any]) -> dict[str, Any]:
        return event_to_row(item, info.id, ex.extracted_at)  # on the worker threads: pure

    def observe(new: pa.Table) -> None:
        value = pc.max(new.column("created_at")).as_py()
        if value is not None and (not newest or value > newest[0]):
            newest[:] = [value.astimezone(dt.UTC)]

    def done(listing: Listing) -> Iterable[Source]:
        begun = min(started, listing.server_time or started)
        ex.watermarks[watermark_key] = min(newest[0], begun) if newest else begun
        return ()

    if ex.full or previous is None:
        ex.replaced.add((TABLE, key))  # listed in full: its folder is replaced
    params = {**query, "sort": "asc", "after": after_param(first_day)}
    return ex.listing(
        table=TABLE,
        key=key,
        path=f"/projects/{info.id}/events",
        params=params,
        what=f"{label} of project {info.path}",
        owner=("project", info.path),
        convert=convert,
        order=("created_at", False),
        keep_empty=(TABLE, key) in ex.replaced,
        on_done=done,
        observe=observe,
        record_as=f"{TABLE}:{suffix}",
    )


def first_day_needed(since: dt.datetime, watermark: dt.datetime | None) -> dt.date:
    """The first UTC day to list: `since`'s, or (incremental) the day of the stored watermark
    less the overlap the other listings use, never before `since`."""
    if watermark is None:
        return since.date()
    return max(since.date(), (watermark - OVERLAP).astimezone(dt.UTC).date())


def after_param(first_day: dt.date) -> str:
    """GitLab's `after` is exclusive (events created after the end of that day): the day before."""
    return (first_day - dt.timedelta(days=1)).isoformat()
