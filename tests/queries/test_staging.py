"""Raw loading and staging: empty tables stay typed, schema drift, dedupe of extraction parts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import metrics
from pipeline.marts.raw_tables import load_raw_tables
from pipeline.marts.roster_tables import register_inputs
from pipeline.marts.runner import connect, run_queries
from pipeline.roster.teams import Bots
from tests.queries.seed import (
    AS_OF,
    EXTRACTED,
    NOREPLY,
    Raw,
    days_before,
    member,
    roster,
)


def _staged(raw_dirs: list[Path], table: str) -> list[tuple[object, ...]]:
    con = connect()
    load_raw_tables(con, raw_dirs)
    register_inputs(con, roster(member("red", "alice")), Bots(), AS_OF, NOREPLY)
    run_queries(con)
    return con.execute(f"select * from {table} order by all").fetchall()


def test_no_files_at_all_gives_typed_empty_tables(tmp_path: Path) -> None:
    con = connect()
    inputs = load_raw_tables(con, [tmp_path / "missing"])
    tables = ("projects", "commits", "merge_requests", "issues", "users", "events")
    assert inputs == {t: [] for t in tables}
    register_inputs(con, roster(member("red", "alice")), Bots(), AS_OF, NOREPLY)
    run_queries(con)
    assert con.execute("select * from leaderboard_users").fetchall()[0] == (
        "7d",
        "red",
        "alice",
        *(0,) * (len(metrics.NAMES) + 1),  # every metric of the registry, and the score
        1,
        1,  # prev_rank: the membership has no dates, so it was on the previous board too
    )
    assert con.execute("select count(*) from stg_merge_requests").fetchone() == (0,)


def test_merge_request_versions_keep_latest_update_then_latest_extraction(
    tmp_path: Path,
) -> None:
    raw = Raw(tmp_path).project(1)
    later = EXTRACTED + dt.timedelta(hours=1)
    raw.mr(10, 1, "Alice", days_before(3), updated=days_before(3), title="v1")
    raw.mr(10, 1, "alice", days_before(3), updated=days_before(2), title="v2")
    raw.mr(10, 1, "alice", days_before(3), updated=days_before(2), title="v3", extracted=later)
    raw.mr(10, 1, "alice", days_before(3), updated=days_before(2), title="v2b")
    raw.write()
    assert [r[:4] for r in _staged([tmp_path], "stg_merge_requests")] == [
        (10, 1, "v3", "https://gitlab.example.com/acme/p1/-/merge_requests/10")
    ]


def test_parquet_missing_and_extra_columns(tmp_path: Path) -> None:
    Raw(tmp_path).project(1).write()
    folder = tmp_path / "issues" / "g1"
    folder.mkdir(parents=True)
    # an older writer: no closed_by column, plus a column the schema does not know
    author = pa.struct([pa.field("id", pa.int64()), pa.field("username", pa.string())])
    old = pa.table(
        {
            "id": pa.array([20], pa.int64()),
            "project_id": pa.array([1], pa.int64()),
            "title": ["old issue"],
            "created_at": pa.array([days_before(1)], pa.timestamp("us", tz="UTC")),
            "updated_at": pa.array([days_before(1)], pa.timestamp("us", tz="UTC")),
            "author": pa.array([{"id": 1, "username": "alice"}], author),
            "surprise": ["x"],
        }
    )
    pq.write_table(old, folder / "old.parquet")
    staged = _staged([tmp_path], "stg_issues")
    assert staged == [
        (20, 1, "old issue", None, "alice", days_before(1).replace(tzinfo=None), None, None)
    ]


def test_users_one_record_per_lowercase_username(tmp_path: Path) -> None:
    raw = Raw(tmp_path).project(1).user(1, "Alice", public_email=" A@X.org ").user(2, "bob")
    raw.tables["users"][0]["_extracted_at"] = EXTRACTED - dt.timedelta(days=1)
    raw.user(3, "alice", public_email="")  # newer record of a reused name
    raw.write()
    assert _staged([tmp_path], "stg_users") == [(2, "bob", None, False), (3, "alice", None, False)]
