"""Pure conversion of Events API items (approvals and comments) into rows of `schema.EVENTS`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pipeline.rows import Item, Row, parse_time

NOTE_FIELDS = ("id", "type", "system", "noteable_type", "noteable_id", "noteable_iid")


def event_to_row(item: Item, project_id: int, extracted_at: dt.datetime) -> Row:
    """One item of /projects/:id/events. GitLab's field names are kept: for a comment,
    `target_id`/`target_iid` name the note, and the MR it is on is `note.noteable_id`/`_iid`."""
    author = item.get("author")
    username = item.get("author_username")
    if username is None and isinstance(author, Mapping):
        username = author.get("username")  # older payloads may lack the flat field
    return {
        "id": item["id"],
        "project_id": item.get("project_id") or project_id,
        "action_name": item.get("action_name"),
        "target_type": item.get("target_type"),
        "target_id": item.get("target_id"),
        "target_iid": item.get("target_iid"),
        "author_id": item.get("author_id"),
        "author_username": username,
        "created_at": parse_time(item.get("created_at")),
        "note": note_ref(item.get("note")),
        "_extracted_at": extracted_at,
    }


def note_ref(value: object) -> Row | None:
    """The embedded `note` of a comment event reduced to the fields review credit needs."""
    if not isinstance(value, Mapping):
        return None
    return {key: value.get(key) for key in NOTE_FIELDS}
