"""The build's DuckDB stays within its memory and streams its marts: settings, steps, writes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.marts import runner
from pipeline.roster.teams import Bots
from pipeline.schema import MARTS
from pipeline.times import Heartbeat
from tests.queries.seed import AS_OF, NOREPLY, Raw, days_before, member, roster


def _settings(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    names = ("memory_limit", "threads", "temp_directory", "enable_progress_bar", "TimeZone")
    query = "select " + ", ".join(f"current_setting('{n}')" for n in names)
    return dict(zip(names, con.execute(query).fetchall()[0], strict=True))


def test_connect_holds_duckdb_to_its_memory_spilling_to_the_folder(tmp_path: Path) -> None:
    con = runner.connect(256, tmp_path)
    cores = os.cpu_count() or 1
    assert _settings(con) == {
        "memory_limit": "244.1 MiB",  # DuckDB shows 256 MB in MiB
        "threads": min(cores, 2),  # 128 MB a thread
        "temp_directory": str(tmp_path),
        "enable_progress_bar": False,  # its redrawn line would litter a CI log
        "TimeZone": "UTC",
    }
    assert _settings(runner.connect(64))["threads"] == 1


def _raw(root: Path) -> Raw:
    raw = Raw(root).project(1).user(1, "alice", public_email="alice@example.org")
    for n in range(30):
        raw.commit(1, f"c{n}", "alice@example.org", days_before(n % 20 + 0.5))
        raw.mr(100 + n, 1, "alice", days_before(n % 25 + 1), merged=days_before(n % 25 + 0.5))
    return raw


class Steps:
    """A heartbeat that only records the steps it is told of."""

    def __init__(self) -> None:
        self.steps: list[str] = []

    def step(self, what: str) -> None:
        self.steps.append(what)


def test_marts_stream_into_files_batch_by_batch_equal_to_the_arrow_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw_dir = _raw(tmp_path / "raw").write()
    team, bots = roster(member("red", "alice")), Bots()
    held = runner.build_marts([raw_dir], team, bots, AS_OF, NOREPLY)
    monkeypatch.setattr(runner, "BATCH_ROWS", 7)  # contributions: 90 rows, 13 batches
    out, steps = tmp_path / "marts", Steps()
    out.mkdir()
    beat = cast(Heartbeat, steps)
    streamed = runner.build_marts(
        [raw_dir], team, bots, AS_OF, NOREPLY, memory_mb=64, into=out, steps=beat
    )
    assert streamed.marts == {}
    assert streamed.rows == held.rows == {name: held.marts[name].num_rows for name in MARTS}
    assert held.rows["contributions"] == 90
    for name, table in held.marts.items():
        written = pq.read_table(out / f"{name}.parquet")
        assert written.schema == MARTS[name]
        assert written.to_pylist() == table.to_pylist(), name
    assert pq.ParquetFile(out / "contributions.parquet").metadata.num_row_groups == 13
    queries = [f"running queries/{p.name}" for p in runner.query_files()]
    assert steps.steps == [*queries, *(f"writing {name}.parquet" for name in MARTS)]


def test_a_table_is_spent_after_the_last_file_that_reads_it_through_a_macro_too() -> None:
    texts = [
        "create or replace table stg_a as select 1 as x;",
        "create or replace table int_b as select * from stg_a; -- int_z in a comment",
        "create or replace macro is_b(v) as (v in (select x from int_b));",
        "create or replace table int_c as select * from stg_a where is_b(x);",
        "create or replace table int_items as select * from int_c;",
        "create or replace table leaderboard_users as select 1 as x;",
    ]
    assert runner.spent_after(texts) == {3: ["int_b", "stg_a"], 4: ["int_c"]}
    # int_items stays for check_kinds, the mart for its file; the comment names nothing
