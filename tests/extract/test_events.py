"""Event rows on a GitLab-shaped /projects/:id/events payload: exact whole rows and the schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipeline import schema
from pipeline.extract.events import events_table

PAYLOAD = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gitlab-payloads" / "project_events.json"
)
AT = dt.datetime(2026, 8, 23, 0, 0, 4, tzinfo=dt.UTC)


def items() -> list[dict[str, object]]:
    return json.loads(PAYLOAD.read_text(encoding="utf-8"))


def event_to_row(item: dict[str, object], project_id: int, at: dt.datetime) -> dict[str, object]:
    """The row a one-event page becomes."""
    (row,) = events_table([item], project_id, at).to_pylist()
    return row


def ts(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_approval_row() -> None:
    assert event_to_row(items()[0], 1, AT) == {
        "id": 5201,
        "project_id": 12345678,
        "action_name": "approved",
        "target_type": "MergeRequest",
        "target_id": 22097950,
        "author_id": 2295562,
        "author_username": "emilie",
        "created_at": ts(2019, 6, 27, 7, 12, 44, 81000),  # +02:00 made UTC
        "note": None,
        "_extracted_at": AT,
    }


def test_diff_note_row_names_the_mr_through_its_note() -> None:
    row = event_to_row(items()[1], 1, AT)
    assert row == {
        "id": 5202,
        "project_id": 12345678,
        "action_name": "commented on",
        "target_type": "DiffNote",
        "target_id": 185911234,  # GitLab's target of a comment is the note, not the MR
        "author_id": 1942272,
        "author_username": "tayloramurphy",
        "created_at": ts(2019, 6, 27, 14, 32, 5, 434000),
        "note": {
            "id": 185911234,
            "system": False,
            "noteable_type": "MergeRequest",
            "noteable_id": 22097950,
        },
        "_extracted_at": AT,
    }


def test_system_note_and_issue_comment_keep_what_rules_them_out() -> None:
    system, on_issue = (event_to_row(item, 1, AT)["note"] for item in items()[2:])
    assert (system["system"], system["noteable_type"], system["noteable_id"]) == (
        True,
        "MergeRequest",
        22097950,
    )
    assert on_issue == {
        "id": 185911400,
        "system": False,
        "noteable_type": "Issue",
        "noteable_id": 22097949,
    }


def test_author_username_falls_back_to_the_author_object() -> None:
    item = items()[0]
    del item["author_username"]
    assert event_to_row(item, 99, AT)["author_username"] == "emilie"
    item["project_id"] = None
    assert event_to_row(item, 99, AT)["project_id"] == 99


def test_every_event_fits_the_declared_schema() -> None:
    table = events_table(items(), 1, AT)
    assert table.num_rows == 4 and table.schema == schema.RAW["events"]
