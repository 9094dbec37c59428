"""Contract audit of publish, rules 6 and 7 read literally and checked apart from exports' code."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.config import Settings
from pipeline.schema import MARTS
from pipeline.site.people import INTERNAL
from pipeline.site.publish import run_publish
from tests.site.data import AS_OF, marts, write_data_dir, write_raw

PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EMAIL = re.compile(r"[^@\s\"'<>,;]+@[^@\s\"'<>,;]+")


def publish(tmp_path: Path, **changes: Any) -> Path:
    data = tmp_path / "data"
    write_data_dir(data)
    write_raw(data)
    settings = Settings(data_dir=data, public_dir=tmp_path / "public", **changes)
    return run_publish(settings, now=AS_OF + dt.timedelta(hours=1))


def emails_in_marts() -> set[str]:
    found = set()
    for rows in marts().values():
        for row in rows:
            for value in row.values():
                if isinstance(value, str):
                    found.update(m for m in EMAIL.findall(value) if "***" not in m)
    return found


def test_every_csv_cell_is_its_json_value_with_a_quote_before_formula_starts(
    tmp_path: Path,
) -> None:
    public = publish(tmp_path, publish_emails=True)
    # the item-level table is Parquet only on Pages: no CSV to be a formula in
    assert not list((public / "data").glob("contributions.*sv"))
    for name in (n for n in MARTS if n not in ("contributions", *INTERNAL)):
        with (public / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            header, *cells = list(csv.reader(handle))
        values = json.loads((public / "data" / f"{name}.json").read_text(encoding="utf-8"))
        assert header == MARTS[name].names
        assert len(cells) == len(values)
        for row, obj in zip(cells, values, strict=True):
            for cell, column in zip(row, header, strict=True):
                value = obj[column]
                text = "" if value is None else str(value)
                want = "'" + text if text.startswith(PREFIXES) else text
                assert cell == want, (name, column, value)


def test_no_full_email_anywhere_in_public_unless_allowed(tmp_path: Path) -> None:
    emails = emails_in_marts()
    assert emails  # the fixture does carry real addresses
    public = publish(tmp_path, publish_raw=True)
    for path in public.rglob("*"):
        if path.suffix in (".html", ".js", ".json", ".csv"):
            text = path.read_text(encoding="utf-8")
            leaked = [e for e in emails if e in text]
            assert leaked == [], path
        elif path.suffix == ".parquet":
            table = pq.read_table(path)
            for column in table.column_names:
                for value in table.column(column).to_pylist():
                    if isinstance(value, str) and "@" in value and EMAIL.fullmatch(value):
                        # the contract's mask: first character, ***, @domain
                        assert re.fullmatch(r"[^@]?\*\*\*@[^@]+", value), (path, column, value)


def test_raw_tables_stay_out_of_public_without_the_flag(tmp_path: Path) -> None:
    public = publish(tmp_path, publish_emails=True)
    assert [p for p in public.rglob("*") if "raw" in p.relative_to(public).parts] == []
