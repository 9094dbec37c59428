"""Streams rows into Parquet part files with a declared Arrow schema, a row group at a time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

#: Rows buffered before a row group is written: bounded memory, and few enough groups per file.
ROW_GROUP_ROWS = 5000


def encodings(schema: pa.Schema) -> dict[str, Any]:
    """How each column is stored: times and 64-bit ids as deltas (a listing's rows come in time
    order, so they shrink to a fraction of the 8 bytes zstd leaves them at); every other leaf
    column (strings, a struct's fields) dictionary-encoded, as pyarrow's default would (the
    names are Parquet's leaf paths, `author.username`)."""
    delta = [f.name for f in schema if pa.types.is_timestamp(f.type) or pa.types.is_int64(f.type)]
    leaves = [path for f in schema if f.name not in delta for path in _leaves(f.name, f.type)]
    return {
        "use_dictionary": leaves,
        "column_encoding": dict.fromkeys(delta, "DELTA_BINARY_PACKED"),
    }


def _leaves(path: str, kind: pa.DataType) -> list[str]:
    """The Parquet column paths under a field (`author.username`, `coauthors.list.element.name`)."""
    if pa.types.is_struct(kind):
        return [leaf for f in kind for leaf in _leaves(f"{path}.{f.name}", f.type)]
    if pa.types.is_list(kind):
        return _leaves(f"{path}.list.element", kind.value_type)
    if pa.types.is_boolean(kind):
        return []  # Parquet bit-packs booleans, with no dictionary
    return [path]


class PartWriter:
    """One Parquet file, opened on the first flush; rows never pile up past one row group.

    Rows arrive as dicts (`write`) or already as Arrow tables of the writer's schema
    (`add_table`, built off the writing thread with `table_of`), in the order they are given.
    """

    def __init__(
        self, path: Path, schema: pa.Schema, *, row_group_rows: int = ROW_GROUP_ROWS
    ) -> None:
        self.path = path
        self.schema = schema
        self.rows = 0
        self._row_group_rows = row_group_rows
        self._buffer: list[Mapping[str, Any]] = []
        self._tables: list[pa.Table] = []
        self._buffered = 0  # rows in _buffer and _tables
        self._writer: pq.ParquetWriter | None = None

    def table_of(self, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
        """Rows as a table of this writer's schema; touches no writer state (thread-safe)."""
        # Column lists convert about twice as fast as a list of row dicts.
        columns = {name: [row.get(name) for row in rows] for name in self.schema.names}
        return pa.Table.from_pydict(columns, schema=self.schema)

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self._buffer.append(row)
            self._buffered += 1
            if self._buffered >= self._row_group_rows:
                self._flush()

    def add_table(self, table: pa.Table) -> None:
        """Rows already converted by `table_of`, written after everything given before; columns
        beyond the schema (what a listing observes but does not keep) are left out."""
        if table.schema.names != self.schema.names:
            table = table.select(self.schema.names)
        if self._buffer:
            self._tables.append(self.table_of(self._buffer))
            self._buffer = []
        if table.num_rows:
            self._tables.append(table)
            self._buffered += table.num_rows
        if self._buffered >= self._row_group_rows:
            self._flush()

    def close(self, *, keep_empty: bool = True) -> int:
        """Flush and close; an empty part is still written (with its schema) when `keep_empty`."""
        if self._buffered or (self._writer is None and keep_empty):
            self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self.rows

    def _flush(self) -> None:
        if self._buffer:
            self._tables.append(self.table_of(self._buffer))
        if self._tables:
            table = pa.concat_tables(self._tables).combine_chunks()
        else:
            table = self.schema.empty_table()
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(
                self.path, self.schema, compression="zstd", **encodings(self.schema)
            )
        self._writer.write_table(table)
        self.rows += table.num_rows
        self._buffer = []
        self._tables = []
        self._buffered = 0


def write_table(path: Path, schema: pa.Schema, rows: Iterable[Mapping[str, Any]]) -> int:
    """A whole small table (projects, users) in one file."""
    writer = PartWriter(path, schema)
    writer.write(rows)
    return writer.close()
