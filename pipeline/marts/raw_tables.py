"""Finds the raw Parquet files (data/raw and every shard) and reads them as typed DuckDB views."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
from duckdb import ColumnExpression, ConstantExpression
from duckdb.sqltypes import DuckDBPyType

from pipeline.errors import LeaderboardError
from pipeline.schema import RAW, RAW_FORMER


def raw_dirs_of(data_dir: Path) -> list[Path]:
    """`data/raw` and each `data/shard-*/raw`: the build unions every shard's extraction."""
    return [data_dir / "raw", *sorted(data_dir.glob("shard-*/raw"))]


def raw_files(raw_dirs: Sequence[Path], table: str) -> list[Path]:
    """Every Parquet file of one raw table, in a stable order."""
    found: list[Path] = []
    for raw_dir in raw_dirs:
        found.extend(sorted((raw_dir / table).glob("**/*.parquet")))
    return found


def empty_table(schema: pa.Schema) -> pa.Table:
    return pa.Table.from_batches([], schema=schema)


def read_schema(table: str) -> pa.Schema:
    """The columns `raw_<table>` has: the declared ones, then those of older parts still read."""
    former = RAW_FORMER.get(table)
    return RAW[table] if former is None else pa.unify_schemas([RAW[table], former])


def load_raw_tables(
    con: duckdb.DuckDBPyConnection, raw_dirs: Sequence[Path]
) -> dict[str, list[Path]]:
    """`raw_<table>` for each schema.RAW table (typed even when no file exists)."""
    inputs: dict[str, list[Path]] = {}
    for table in RAW:
        files = raw_files(raw_dirs, table)
        load_raw_table(con, f"raw_{table}", read_schema(table), files)
        inputs[table] = files
    return inputs


def load_raw_table(
    con: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema, files: Sequence[Path]
) -> None:
    """A view `name` with the declared columns over the files, read in place by the staging SQL
    (only the columns it asks for): no copy of the raw data is held in memory.

    A file that is not Parquet fails here; so does one holding a value of another type than
    declared that does not cast (its files are read in full, one by one, only then)."""
    if not files:
        con.from_arrow(empty_table(schema)).create(name)
        return
    try:
        scan = _union(con, files)
        if _drifted(con, scan, schema):
            culprit, reason = _first_unreadable(con, schema, files)
            if culprit is not None:
                raise _damaged(culprit, reason, files)
        _typed(con, scan, schema).create_view(name, replace=True)
    except duckdb.Error as exc:
        raise unreadable(con, schema, files, exc) from None


def check_raw_files(con: duckdb.DuckDBPyConnection, inputs: dict[str, list[Path]]) -> None:
    """Raise the error naming a raw file DuckDB cannot read in full: what a failed build asks
    before blaming its SQL (a view reads a file only when a query does)."""
    for table, files in inputs.items():
        culprit, reason = _first_unreadable(con, read_schema(table), files)
        if culprit is not None:
            raise _damaged(culprit, reason, files)


def unreadable(
    con: duckdb.DuckDBPyConnection, schema: pa.Schema, files: Sequence[Path], exc: duckdb.Error
) -> LeaderboardError:
    """The one error for raw files DuckDB could not read: which file, why, and the fix."""
    culprit, reason = _first_unreadable(con, schema, files)
    return _damaged(culprit, reason or str(exc), files)


def _first_unreadable(
    con: duckdb.DuckDBPyConnection, schema: pa.Schema, files: Sequence[Path]
) -> tuple[Path | None, str]:
    """The first file that fails to read, in full, alone (DuckDB names the file for some
    failures only), and why; (None, "") when all of them read."""
    for path in files:
        con.from_arrow(empty_table(schema)).create("raw_probe")
        try:
            _typed(con, _union(con, [path]), schema).insert_into("raw_probe")
        except duckdb.Error as probe:
            return path, str(probe)
        finally:
            con.execute("drop table raw_probe")
    return None, ""


def _damaged(culprit: Path | None, reason: str, files: Sequence[Path]) -> LeaderboardError:
    where = str(culprit) if culprit else f"one of the {len(files)} files under {files[0].parent}"
    return LeaderboardError(
        f"cannot read {where} ({_why(reason, culprit)}): the raw data is damaged; restore "
        "data/ from the last good run's artifacts, or run `leaderboard extract --full` to "
        "fetch it all again"
    )


def _why(reason: str, path: Path | None) -> str:
    """DuckDB's reason in a few words: no "Invalid Input Error:" prefix, no file name again."""
    first = (reason.splitlines() or [""])[0]
    if " Error: " in first:
        first = first.split(" Error: ", 1)[1]
    if path is not None:
        first = first.replace(f" '{path}'", "")
    words = "".join(c for c in first if c.isprintable()).strip()
    return words[:160] or "not a Parquet file"


def _union(con: duckdb.DuckDBPyConnection, files: Sequence[Path]) -> duckdb.DuckDBPyRelation:
    """The files' columns by name (binding reads each footer: a file that is not Parquet fails)."""
    return con.read_parquet([str(f) for f in files], union_by_name=True, hive_partitioning=False)


def _declared(con: duckdb.DuckDBPyConnection, schema: pa.Schema) -> dict[str, DuckDBPyType]:
    return dict(zip(schema.names, con.from_arrow(empty_table(schema)).types, strict=True))


def _drifted(
    con: duckdb.DuckDBPyConnection, scan: duckdb.DuckDBPyRelation, schema: pa.Schema
) -> bool:
    """Some file holds a plain column under another type than declared (a struct or list of an
    older writer may differ by fields it no longer keeps)."""
    found = dict(zip(scan.columns, scan.types, strict=True))
    return any(
        name in found and str(found[name]) != str(kind)
        for name, kind in _declared(con, schema).items()
        if not pa.types.is_nested(schema.field(name).type)
    )


def _typed(
    con: duckdb.DuckDBPyConnection, scan: duckdb.DuckDBPyRelation, schema: pa.Schema
) -> duckdb.DuckDBPyRelation:
    """The scan as the schema's columns, in its order and types."""
    present = set(scan.columns)
    # A file from an older writer may lack a column (null) or carry an extra one (ignored).
    columns = [
        (ColumnExpression(c) if c in present else ConstantExpression(None)).cast(t).alias(c)
        for c, t in _declared(con, schema).items()
    ]
    return scan.select(*columns)
