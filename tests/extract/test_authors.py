"""seen_users: user ids by username from the raw MRs, issues and review events, newest first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pipeline import schema
from pipeline.extract.authors import Seen, raw_parts, seen_users
from pipeline.extract.store.writer import write_table

EARLY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
LATE = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def user(uid: int, name: str, state: str = "active") -> dict[str, Any]:
    return {"id": uid, "username": name, "name": name.title(), "state": state}


def item(iid: int, at: dt.datetime, **users: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": iid, "project_id": 1, "_extracted_at": at, **users}


def event(eid: int, uid: int | None, name: str | None, at: dt.datetime) -> dict[str, Any]:
    return {"id": eid, "author_id": uid, "author_username": name, "_extracted_at": at}


def test_ids_come_from_every_user_field_the_newest_record_first(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_table(
        raw / "merge_requests" / "g10" / "a.parquet",
        schema.MERGE_REQUESTS,
        [
            item(1, EARLY, author=user(20, "Rosa", "blocked"), merged_by=user(7, "sam")),
            item(2, EARLY, author=user(9, "kit"), closed_by=user(8, "reused")),
        ],
    )
    write_table(
        raw / "issues" / "g10" / "b.parquet",
        schema.ISSUES,
        [item(3, LATE, author=None, closed_by=user(31, "reused", "banned"))],
    )
    write_table(
        raw / "events" / "p1" / "commented" / "c.parquet",
        schema.EVENTS,
        [event(4, 40, "Eve", LATE), event(5, None, "nobody", LATE), event(6, 41, None, LATE)],
    )

    found = seen_users(raw_parts(raw), ["rosa", "sam", "reused", "eve", "nobody", "absent"])

    assert found == {
        "rosa": Seen(20, "blocked", EARLY),  # case-insensitive, with GitLab's state
        "sam": Seen(7, "active", EARLY),  # a merger counts too
        "reused": Seen(31, "banned", LATE),  # the name's newest holder
        "eve": Seen(40, None, LATE),  # events carry no state
    }
    assert seen_users(raw_parts(raw), []) == {}
    assert seen_users(raw_parts(tmp_path / "nothing"), ["rosa"]) == {}
