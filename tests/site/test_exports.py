"""Exports: CSV formula neutralising, escaped JSON, raw copies (masked unless allowed)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import metrics
from pipeline.schema import MARTS
from pipeline.site import exports
from tests.site.data import AS_OF, write_raw


@pytest.mark.parametrize(
    ("cell", "out"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (" =x", " =x"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, out: str) -> None:
    assert exports.neutralise(cell) == out


def test_csv_is_exact_with_neutralised_and_quoted_cells(tmp_path: Path) -> None:
    schema = MARTS["unmatched_authors"]
    rows = [
        {"author_email": "=x@evil", "author_name": 'Bob "B", Jr', "commits": 2, "projects": 1,
         "first_seen": AS_OF, "last_seen": AS_OF + dt.timedelta(microseconds=5)},
        {"author_email": "a@b", "author_name": "\tTab\nline", "commits": 1, "projects": 1,
         "first_seen": None, "last_seen": None},
        {"author_email": "c@d", "author_name": "-1", "commits": 0, "projects": 0,
         "first_seen": AS_OF, "last_seen": AS_OF},
        {"author_email": "e@f", "author_name": "\rCR", "commits": 1, "projects": 1,
         "first_seen": None, "last_seen": None},
    ]  # fmt: skip
    path = tmp_path / "u.csv"
    exports.write_csv(pa.Table.from_pylist(rows, schema=schema), path)
    assert path.read_bytes().decode("utf-8") == (
        "author_email,author_name,commits,projects,first_seen,last_seen\r\n"
        '\'=x@evil,"Bob ""B"", Jr",2,1,2026-08-23T00:00:00Z,2026-08-23T00:00:00.000005Z\r\n'
        'a@b,"\'\tTab\nline",1,1,,\r\n'
        "c@d,'-1,0,0,2026-08-23T00:00:00Z,2026-08-23T00:00:00Z\r\n"
        'e@f,"\'\rCR",1,1,,\r\n'
    )
    with path.open(encoding="utf-8", newline="") as handle:
        parsed = list(csv.reader(handle))
    assert parsed[2][1] == "'\tTab\nline"
    assert parsed[4][1] == "'\rCR"


def test_json_export_round_trips_and_escapes_html(tmp_path: Path) -> None:
    rows = [
        {"username": "u", "email": "</script><b>&\u2028\u2029", "source": "teams_csv"},
        {"username": "v", "email": None, "source": "noreply"},
    ]
    path = tmp_path / "e.json"
    exports.write_json(pa.Table.from_pylist(rows, schema=MARTS["member_emails"]), path)
    text = path.read_text(encoding="utf-8")
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert json.loads(text) == rows


def test_json_export_writes_dates_and_times_as_iso(tmp_path: Path) -> None:
    row = {"week": dt.date(2026, 8, 17), "team": "t", **dict.fromkeys(metrics.NAMES, 0),
           "commits": 1, "mrs_approved": 2, "review_comments": 3, "mrs_reviewed": 2}  # fmt: skip
    path = tmp_path / "w.json"
    exports.write_json(pa.Table.from_pylist([row], schema=MARTS["weekly_team_activity"]), path)
    assert json.loads(path.read_text(encoding="utf-8")) == [{**row, "week": "2026-08-17"}]


def test_empty_table_exports(tmp_path: Path) -> None:
    table = MARTS["unmatched_authors"].empty_table()
    exports.export_table(table, tmp_path, "unmatched_authors")
    assert json.loads((tmp_path / "unmatched_authors.json").read_text()) == []
    assert (tmp_path / "unmatched_authors.csv").read_text().count("\n") == 1
    assert pq.read_table(tmp_path / "unmatched_authors.parquet").schema == table.schema


def test_safe_json_escapes_everything_that_could_end_a_script() -> None:
    text = exports.safe_json({"a": "</script><!-- & \u2028"})
    assert text == '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}'
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


@pytest.mark.parametrize("publish_emails", [False, True])
def test_copy_raw_masks_emails_unless_allowed(tmp_path: Path, publish_emails: bool) -> None:
    write_raw(tmp_path / "data")
    out = tmp_path / "raw"
    assert exports.copy_raw(tmp_path / "data", out, publish_emails) == 2
    commit = pq.read_table(out / "commits" / "p12" / "r1.parquet").to_pylist()[0]
    user = pq.read_table(out / "users" / "users.parquet").to_pylist()[0]
    if publish_emails:
        assert commit["author_email"] == "zed@laptop"
        assert user["public_email"] == "alice@example.org"
    else:
        assert commit["author_email"] == "z***@laptop"
        assert user["public_email"] == "a***@example.org"
    assert commit["parent_count"] == 1


def test_copy_raw_includes_shards(tmp_path: Path) -> None:
    write_raw(tmp_path / "data" / "shard-2")
    out = tmp_path / "raw"
    assert exports.copy_raw(tmp_path / "data", out, False) == 2
    assert (out / "shard-2" / "commits" / "p12" / "r1.parquet").is_file()
