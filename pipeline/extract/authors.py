"""Who the extracted data names: user ids by username from MR, issue and review event authors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.extract.store.staging import read_part

#: The embedded users (`id, username, name, state`, GitLab's UserBasic) of each raw table.
USER_REFS = {
    "merge_requests": ("author", "merged_by", "closed_by"),
    "issues": ("author", "closed_by"),
}
#: The raw tables whose items name users.
TABLES = (*USER_REFS, "events")

Parts = Mapping[str, Sequence[Path]]
Named = tuple[str, int | None, str | None, dt.datetime]


@dataclass(frozen=True)
class Seen:
    """A user as the newest record naming them has them: id, state (events carry none), when."""

    id: int
    state: str | None
    extracted_at: dt.datetime


def raw_parts(raw: Path) -> dict[str, list[Path]]:
    """Every part file of the tables whose items name users, under a raw folder."""
    return {table: sorted((raw / table).rglob("*.parquet")) for table in TABLES}


def seen_users(parts: Parts, usernames: Collection[str]) -> dict[str, Seen]:
    """Each of the (lower-case) `usernames` that an MR, issue or review event in `parts` (table
    -> part files) names, with the id of the newest MR or issue naming them (by
    `_extracted_at`: a username can pass from one account to another, so the caller checks the
    id's current username), else of the newest event. Reads one part at a time, only the user
    columns, kept only for the names asked for, so memory stays small whatever the size of the
    data; the many small event parts are read only for names no MR or issue names."""
    found: dict[str, Seen] = {}
    for source in (_item_users, _event_users):
        left = sorted(set(usernames) - set(found))
        if not left:
            break
        for name, uid, state, at in source(parts, pa.array(left, pa.string())):
            if uid is not None and (name not in found or at > found[name].extracted_at):
                found[name] = Seen(int(uid), state, at)
    return found


def _item_users(parts: Parts, wanted: pa.Array) -> Iterator[Named]:
    for table, refs in USER_REFS.items():
        for part in parts.get(table, ()):
            data = read_part(part, [*refs, "_extracted_at"])
            for ref in refs:
                user = data.column(ref)
                yield from _matching(
                    wanted,
                    pc.struct_field(user, "username"),
                    pc.struct_field(user, "id"),
                    pc.struct_field(user, "state"),
                    data.column("_extracted_at"),
                )


def _event_users(parts: Parts, wanted: pa.Array) -> Iterator[Named]:
    for part in parts.get("events", ()):
        data = read_part(part, ["author_username", "author_id", "_extracted_at"])
        ids = data.column("author_id")
        states = pa.nulls(len(data), pa.string())
        yield from _matching(
            wanted, data.column("author_username"), ids, states, data.column("_extracted_at")
        )


def _matching(
    wanted: pa.Array, usernames: pa.ChunkedArray, ids: pa.ChunkedArray, states: pa.Array,
    at: pa.ChunkedArray,
) -> Iterator[Named]:  # fmt: skip
    lower = pc.utf8_lower(usernames)
    keep = pc.fill_null(pc.is_in(lower, value_set=wanted), False)
    columns = (pc.filter(column, keep).to_pylist() for column in (lower, ids, states, at))
    yield from zip(*columns, strict=True)
