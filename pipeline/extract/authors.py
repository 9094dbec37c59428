"""Who the extracted data names: user ids by username from MR, issue and review event authors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

#: The embedded users (`id, username, name, state`, GitLab's UserBasic) of each raw table.
USER_REFS = {
    "merge_requests": ("author", "merged_by", "closed_by"),
    "issues": ("author", "closed_by"),
}


@dataclass(frozen=True)
class Seen:
    """A user as the newest record naming them has them: id, state (events carry none), when."""

    id: int
    state: str | None
    extracted_at: dt.datetime


def seen_users(raw: Path, usernames: Collection[str]) -> dict[str, Seen]:
    """Each of the (lower-case) `usernames` that an MR, issue or review event under `raw` names,
    with the id of the newest such record (by `_extracted_at`: a username can pass from one
    account to another). Reads one part at a time, only the user columns, kept only for the
    names asked for, so memory stays small whatever the size of the data."""
    if not usernames:
        return {}
    wanted = pa.array(sorted(usernames), pa.string())
    found: dict[str, Seen] = {}
    for name, uid, state, at in _named(raw, wanted):
        if uid is not None and (name not in found or at > found[name].extracted_at):
            found[name] = Seen(int(uid), state, at)
    return found


def _named(
    raw: Path, wanted: pa.Array
) -> Iterator[tuple[str, int | None, str | None, dt.datetime]]:
    for table, refs in USER_REFS.items():
        for part in sorted((raw / table).rglob("*.parquet")):
            data = pq.read_table(part, columns=[*refs, "_extracted_at"])
            for ref in refs:
                user = data.column(ref)
                yield from _matching(
                    wanted,
                    pc.struct_field(user, "username"),
                    pc.struct_field(user, "id"),
                    pc.struct_field(user, "state"),
                    data.column("_extracted_at"),
                )
    for part in sorted((raw / "events").rglob("*.parquet")):
        data = pq.read_table(part, columns=["author_username", "author_id", "_extracted_at"])
        ids = data.column("author_id")
        states = pa.nulls(len(data), pa.string())
        yield from _matching(
            wanted, data.column("author_username"), ids, states, data.column("_extracted_at")
        )


def _matching(
    wanted: pa.Array, usernames: pa.ChunkedArray, ids: pa.ChunkedArray, states: pa.Array,
    at: pa.ChunkedArray,
) -> Iterator[tuple[str, int | None, str | None, dt.datetime]]:  # fmt: skip
    lower = pc.utf8_lower(usernames)
    keep = pc.fill_null(pc.is_in(lower, value_set=wanted), False)
    columns = (pc.filter(column, keep).to_pylist() for column in (lower, ids, states, at))
    yield from zip(*columns, strict=True)
