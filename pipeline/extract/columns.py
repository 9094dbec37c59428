"""Pages of GitLab items to Arrow tables, column by column: what the resource modules share.

A page costs a few list comprehensions and one vectorised timestamp cast rather than per-item
dicts and datetimes, which matters because conversion holds the GIL the scheduler thread needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from pipeline import schema
from pipeline.times import parse_optional

Item = Mapping[str, Any]
TIMESTAMP = pa.timestamp("us", tz="UTC")
USER_FIELDS = ("id", "username", "state")


def timestamps(values: Sequence[object]) -> pa.Array:
    """GitLab times (`Z` or an offset) cast in bulk; "" and None become null."""
    cleaned = [None if value == "" else value for value in values]
    try:
        return pa.array(cleaned, pa.string()).cast(TIMESTAMP)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Arrow refuses what `parse_optional` refuses (no zone, not a string): one at a time
        # then raises the same error, or reads a form Arrow does not know the same way.
        return pa.array([parse_optional(value) for value in values], TIMESTAMP)


def users(values: Sequence[object]) -> list[dict[str, Any] | None]:
    """Embedded user objects (`author`, `closed_by`, ...) reduced to what the user-id scan reads
    (`extract/authors`)."""
    return [
        {key: value.get(key) for key in USER_FIELDS} if isinstance(value, Mapping) else None
        for value in values
    ]


def table_of(
    table: str, columns: dict[str, Any], count: int, extracted_at: dt.datetime
) -> pa.Table:
    """The raw table's declared schema filled from `columns` (a missing column is null) and
    `_extracted_at`."""
    columns["_extracted_at"] = pa.array([extracted_at] * count, TIMESTAMP)
    declared = schema.RAW[table]
    return pa.Table.from_pydict(
        {name: columns.get(name, [None] * count) for name in declared.names}, schema=declared
    )
