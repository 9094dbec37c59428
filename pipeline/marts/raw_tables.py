"""Finds the raw Parquet files (data/raw and every shard) and loads them as typed DuckDB tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
from duckdb import ColumnExpression, ConstantExpression

from pipeline.errors import LeaderboardError
from pipeline.schema import RAW


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


def load_raw_tables(
    con: duckdb.DuckDBPyConnection, raw_dirs: Sequence[Path]
) -> dict[str, list[Path]]:
    """Create `raw_<table>` for each schema.RAW table (typed even when no file exists)."""
    inputs: dict[str, list[Path]] = {}
    for table, schema in RAW.items():
        files = raw_files(raw_dirs, table)
        load_raw_table(con, f"raw_{table}", schema, files)
        inputs[table] = files
    return inputs


def load_raw_table(
    con: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema, files: Sequence[Path]
) -> None:
    """Create `name` with the declared schema, then append the files in its column order."""
    con.from_arrow(empty_table(schema)).create(name)
    if not files:
        return
    try:
        _append(con, name, files)
    except duckdb.Error as exc:
        raise unreadable(con, schema, files, exc) from None


def unreadable(
    con: duckdb.DuckDBPyConnection, schema: pa.Schema, files: Sequence[Path], exc: duckdb.Error
) -> LeaderboardError:
    """The one error for raw files DuckDB could not read: which file, why, and the fix.

    DuckDB names the file for some failures only, so each file is tried alone."""
    culprit, reason = None, str(exc)
    for path in files:
        con.from_arrow(empty_table(schema)).create("raw_probe")
        try:
            _append(con, "raw_probe", [path])
        except duckdb.Error as probe:
            culprit, reason = path, str(probe)
            break
        finally:
            con.execute("drop table raw_probe")
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


def _append(con: duckdb.DuckDBPyConnection, name: str, files: Sequence[Path]) -> None:
    target = con.table(name)
    types = dict(zip(target.columns, target.types, strict=True))
    scan = con.read_parquet([str(f) for f in files], union_by_name=True, hive_partitioning=False)
    present = set(scan.columns)
    # A file from an older writer may lack a column (null) or carry an extra one (ignored).
    columns = [
        (ColumnExpression(c) if c in present else ConstantExpression(None)).cast(t).alias(c)
        for c, t in types.items()
    ]
    scan.select(*columns).insert_into(name)
