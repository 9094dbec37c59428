"""Review events: each project's approvals and comments from `/projects/:id/events`.

`after` takes a date, exclusive, read in the instance's time zone, which a `read_api` token
cannot learn (`app/finders/events_finder.rb`): a listing asks `after` a day that keeps what it
needs in every zone (`slices.day_after`). A full run lists oldest first. An incremental run
lists newest first down to the same kind of bound, but stops at the first page holding an event
older than its watermark less OVERLAP (`older_than`): the rest was read by the last run, so a
quiet listing costs one page; the events read again are deduplicated by event id in staging
SQL. A range the Events API's count cap ends short goes on as the next range (`slices`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from pipeline.extract.columns import Item, table_of, timestamps
from pipeline.extract.extraction import OVERLAP, Extraction, Listed, Order, ProjectInfo, Watermark
from pipeline.extract.listing import Listing
from pipeline.extract.slices import EVENTS, EVENTS_DESC, day_after
from pipeline.times import parse_optional

TABLE = "events"
#: (key suffix, label in the error line, query): approvals of MRs, and every comment (which
#: ones are on MRs, and by a person rather than the system, the SQL decides from `note`).
LISTINGS = (
    ("approved", "approval events", {"action": "approved", "target_type": "merge_request"}),
    ("commented", "comment events", {"action": "commented"}),
)
#: what an event's `note` keeps: what review credit needs to tell an MR comment by a person
NOTE_FIELDS = ("id", "system", "noteable_type", "noteable_id")


def event_listings(ex: Extraction, info: ProjectInfo) -> list[Listing]:
    """The project's two event listings (one request each when nothing happened)."""
    return [event_listing(ex, info, suffix, label, query) for suffix, label, query in LISTINGS]


def event_listing(
    ex: Extraction, info: ProjectInfo, suffix: str, label: str, query: Mapping[str, str]
) -> Listing:
    key = f"p{info.id}/{suffix}"
    mark = Watermark(ex, f"{TABLE}/{key}", "created_at")
    # incremental: newest first, down to the last watermark less the overlap (see the module)
    stop_at = None if mark.previous is None else mark.previous - OVERLAP
    first = ex.since if stop_at is None else max(ex.since, stop_at)
    params = {**query, "sort": "asc" if stop_at is None else "desc"}
    return ex.start(
        Listed(
            table=TABLE,
            key=key,
            path=f"/projects/{info.id}/events",
            params={**params, "after": day_after(first).isoformat()},
            what=f"{label} of project {info.path}",
            owner=("project", info.path),
            columns=lambda items: events_table(items, info.id, ex.extracted_at),
            order=Order("created_at", descending=stop_at is not None, floor=stop_at),
            slicer=EVENTS if stop_at is None else EVENTS_DESC,
            replaces=stop_at is None,  # listed in full: its folder is replaced
            record_as=f"{TABLE}:{suffix}",
            stop_after=None if stop_at is None else older_than(stop_at),
            on_done=mark.done,
            observe=mark.observe,
        )
    )


def older_than(bound: dt.datetime) -> Callable[[Sequence[Item]], bool]:
    """The stop rule of a newest-first event listing: a page holding an event created before
    `bound` is its last. GitLab orders events by id, given as they are created, so every later
    page holds older events still, which the last run read: an event it missed (committed
    after it listed) was created after its watermark less the overlap, so it sorts above any
    event older than that. An unreadable `created_at` never stops the listing: it is not skipped
    either, since `events_table` refuses the same page (columns.timestamps) and fails the run."""

    def stop(items: Sequence[Item]) -> bool:
        for item in items:
            try:
                when = parse_optional(item.get("created_at"))
            except ValueError:
                continue  # undecided here; events_table fails on it
            if when is not None and when < bound:
                return True
        return False

    return stop


def events_table(items: Sequence[Item], project_id: int, extracted_at: dt.datetime) -> pa.Table:
    """Items of /projects/:id/events as rows of `schema.EVENTS`. GitLab's field names are kept:
    for a comment, `target_id` names the note, and the MR it is on is `note.noteable_id`
    (`lib/api/entities/event.rb`)."""
    gets = [item.get for item in items]
    columns: dict[str, Any] = {
        "id": [item["id"] for item in items],
        "project_id": [get("project_id") or project_id for get in gets],
        "action_name": [get("action_name") for get in gets],
        "target_type": [get("target_type") for get in gets],
        "target_id": [get("target_id") for get in gets],
        "author_id": [get("author_id") for get in gets],
        "author_username": [_username(item) for item in items],
        "created_at": timestamps([get("created_at") for get in gets]),
        "note": [_note(get("note")) for get in gets],
    }
    return table_of(TABLE, columns, len(items), extracted_at)


def _username(item: Item) -> Any:
    username = item.get("author_username")
    author = item.get("author")
    if username is None and isinstance(author, Mapping):
        username = author.get("username")  # older payloads may lack the flat field
    return username


def _note(value: object) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return {key: value.get(key) for key in NOTE_FIELDS}
