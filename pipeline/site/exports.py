"""Downloadable data under public/data: marts as Parquet, CSV (formulas neutralised) and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.privacy import mask_emails

# A spreadsheet treats a cell starting with one of these as a formula (rule 6).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

BATCH_ROWS = 10_000


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading `'`."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def format_timestamp(value: dt.datetime) -> str:
    """ISO 8601 in UTC with `Z`, microseconds only when there are any."""
    value = value.astimezone(dt.UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def plain_value(value: Any) -> Any:
    """A Python value from Arrow as JSON/CSV want it: times as ISO strings, the rest as is."""
    if isinstance(value, dt.datetime):
        return format_timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def iter_rows(table: pa.Table) -> Iterator[list[Any]]:
    """Rows of plain values, a batch at a time so a large mart never becomes one big list."""
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        columns = [column.to_pylist() for column in batch.columns]
        for row in zip(*columns, strict=True):
            yield [plain_value(value) for value in row]


def csv_cell(value: Any) -> str:
    return "" if value is None else neutralise(str(value))


def write_csv(table: pa.Table, path: Path) -> None:
    """RFC 4180 CSV with a header row; every cell that could start a formula is neutralised."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        # CRLF rows: Python's writer then also quotes a lone CR inside a cell.
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([csv_cell(name) for name in table.column_names])
        for row in iter_rows(table):
            writer.writerow([csv_cell(value) for value in row])


def safe_json(value: Any, indent: int | None = None) -> str:
    """JSON safe to embed in HTML or a <script>: `<`, `>`, `&`, U+2028/9 escaped."""
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(
        value, ensure_ascii=False, separators=separators, indent=indent, allow_nan=False
    )
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def write_json(table: pa.Table, path: Path) -> None:
    """A JSON array of row objects; escaped as for HTML so the file is safe wherever it lands."""
    names = table.column_names
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for index, row in enumerate(iter_rows(table)):
            handle.write(",\n" if index else "\n")
            handle.write(safe_json(dict(zip(names, row, strict=True))))
        handle.write("\n]\n")


def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd")


#: Tables of items, which grow with the organisation's activity: Parquet only on Pages (a CSV or
#: JSON copy is several times larger); a person's or team's items are in their drill-down.
ITEM_LEVEL = frozenset({"contributions"})
#: A CSV or JSON copy larger than this is left out of public/ (the page says so; the Parquet is
#: there, and every mart is in the build job's artifacts).
COPY_MAX_MB = 10
FORMATS = ("parquet", "csv", "json")


def export_table(
    table: pa.Table, out_dir: Path, name: str, formats: tuple[str, ...] = FORMATS
) -> dict[str, int]:
    """`<name>.<format>` in out_dir for each format; returns the bytes of each file kept (a CSV
    or JSON copy over COPY_MAX_MB is removed again)."""
    writers = {"parquet": write_parquet, "csv": write_csv, "json": write_json}
    sizes: dict[str, int] = {}
    for ext in formats:
        path = out_dir / f"{name}.{ext}"
        writers[ext](table, path)
        size = path.stat().st_size
        if ext != "parquet" and size > COPY_MAX_MB * 1024 * 1024:
            path.unlink()
            continue
        sizes[ext] = size
    return sizes


def export_marts(
    tables: dict[str, pa.Table], out_dir: Path, publish_emails: bool
) -> dict[str, dict[str, int]]:
    """Every mart as Parquet, and as CSV and JSON unless it is item-level or the copy too large;
    emails masked unless publishing them was asked for. Returns each mart's files' sizes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, table in tables.items():
        formats = ("parquet",) if name in ITEM_LEVEL else FORMATS
        masked = table if publish_emails else mask_emails(table)
        written[name] = export_table(masked, out_dir, name, formats)
    return written


def raw_files(data_dir: Path) -> Iterable[tuple[Path, Path]]:
    """(source, path relative to public/data/raw) for every raw Parquet file, shards included."""
    roots = [(data_dir / "raw", Path())]
    roots += [(shard / "raw", Path(shard.name)) for shard in sorted(data_dir.glob("shard-*"))]
    for root, prefix in roots:
        for source in sorted(root.rglob("*.parquet")):
            yield source, prefix / source.relative_to(root)


def copy_raw(data_dir: Path, out_dir: Path, publish_emails: bool) -> int:
    """Raw tables into public/data/raw, emails masked as on the page; returns the file count."""
    count = 0
    for source, relative in raw_files(data_dir):
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_parquet(source, target, publish_emails)
        count += 1
    return count


def _copy_parquet(source: Path, target: Path, publish_emails: bool) -> None:
    parquet = pq.ParquetFile(source)
    schema = parquet.schema_arrow
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            table = pa.Table.from_batches([batch], schema=schema)
            writer.write_table(table if publish_emails else mask_emails(table))
