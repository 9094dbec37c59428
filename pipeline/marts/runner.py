"""Runs queries/*.sql in name order in DuckDB over raw tables and the roster; returns the marts."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import LeaderboardError
from pipeline.marts.raw_tables import check_raw_files, load_raw_tables
from pipeline.marts.roster_tables import register_inputs
from pipeline.roster import notices
from pipeline.roster.teams import Bots, Roster
from pipeline.schema import MARTS
from pipeline.times import Heartbeat

log = logging.getLogger("leaderboard.build")

#: DuckDB's memory limit in MB when none is given (LEADERBOARD_BUILD_MEMORY_MB): past it,
#: intermediate tables and big joins spill to a temporary folder instead of growing the process
MEMORY_MB = 512
#: DuckDB wants at least about 125 MB per thread: more threads than the limit feeds only spill
MB_PER_THREAD = 128
#: rows per Arrow batch when a mart streams into its Parquet file
BATCH_ROWS = 100_000
#: intermediate tables Python reads once the queries have run (`_build`, `check_kinds`)
READ_AFTER = frozenset(
    {"int_items", "stg_metric_kinds", "int_bot_members", "int_unknown_usernames"}
)
_TABLE = re.compile(r"\b((?:stg|int)_[a-z0-9_]+)\b")
_MACRO = re.compile(r"create\s+or\s+replace\s+macro\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")


def _queries_dir() -> Path:
    """queries/ of the checkout (or editable install), else the copy a wheel installs."""
    checkout = Path(__file__).resolve().parents[2] / "queries"
    installed = Path(sys.prefix) / "share" / "gitlab-team-leaderboard" / "queries"
    return checkout if checkout.is_dir() or not installed.is_dir() else installed


QUERIES_DIR = _queries_dir()


@dataclass(frozen=True)
class MartBuild:
    """The marts of one build, plus what the roster check found along the way."""

    marts: dict[str, pa.Table]
    dropped_bots: list[tuple[str, str]] = field(default_factory=list)
    unknown_usernames: list[str] = field(default_factory=list)
    inputs: dict[str, list[Path]] = field(default_factory=dict)
    # (username, email): teams.csv emails that bots.txt lists, so they match nobody
    dropped_bot_emails: list[tuple[str, str]] = field(default_factory=list)
    #: rows per mart (also when the marts went to files instead of `marts`)
    rows: dict[str, int] = field(default_factory=dict)


def connect(memory_mb: int = MEMORY_MB, spill_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB whose session time zone is UTC, so no local zone leaks in,
    held under `memory_mb`: what does not fit spills to `spill_dir`. Threads as the limit feeds
    them (and the machine has cores); no progress bar, whose redrawn line would litter a CI log."""
    threads = max(1, min(os.cpu_count() or 1, memory_mb // MB_PER_THREAD))
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": f"{memory_mb}MB",
        "threads": threads,
    }
    if spill_dir is not None:
        config["temp_directory"] = str(spill_dir)
    con = duckdb.connect(":memory:", config=config)
    con.execute("set TimeZone = 'UTC'; set enable_progress_bar = false")
    return con


def query_files(queries_dir: Path = QUERIES_DIR) -> list[Path]:
    files = sorted(queries_dir.glob("*.sql"))
    if not files:
        raise LeaderboardError(f"no SQL files in {queries_dir}; the build needs queries/*.sql")
    return files


def run_queries(
    con: duckdb.DuckDBPyConnection,
    queries_dir: Path = QUERIES_DIR,
    steps: Heartbeat | None = None,
    *,
    drop_spent: bool = False,
) -> None:
    """Run every queries/*.sql in name order; a failing file is named in the error. With
    `drop_spent`, each staging or intermediate table is dropped once the last file that reads it
    has run: the build then holds what is still to be read, not everything it ever made."""
    files = query_files(queries_dir)
    texts = [path.read_text(encoding="utf-8") for path in files]
    spent = spent_after(texts) if drop_spent else {}
    for index, (path, text) in enumerate(zip(files, texts, strict=True)):
        if steps is not None:
            steps.step(f"running queries/{path.name}")
        try:
            con.execute(text)
            for name in spent.get(index, ()):
                con.execute(f"drop table {name}")  # a name queries/ itself created
        except duckdb.Error as exc:
            raise LeaderboardError(f"build failed in {path.name}: {exc}") from exc


def spent_after(texts: Sequence[str]) -> dict[int, list[str]]:
    """File index -> the stg_/int_ tables no later file reads (but the marts' Python readers,
    READ_AFTER). A file that calls a macro reads what the macro's own file reads."""
    reads = [set(_TABLE.findall(_COMMENT.sub("", text))) for text in texts]
    for index, text in enumerate(texts):
        for macro in _MACRO.findall(text):
            called = re.compile(rf"\b{macro}\s*\(")
            for later in range(index + 1, len(texts)):
                if called.search(_COMMENT.sub("", texts[later])):
                    reads[later] |= reads[index]
    last = {name: index for index, names in enumerate(reads) for name in names}
    spent: dict[int, list[str]] = {}
    for name, index in sorted(last.items()):
        if name not in READ_AFTER:
            spent.setdefault(index, []).append(name)
    return spent


def fetch_mart(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    """One mart as Arrow with exactly the declared columns and types of schema.MARTS."""
    return _mart(con, name).to_arrow_table().cast(MARTS[name])


def write_mart(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> int:
    """One mart into a Parquet file of the declared columns and types, a batch at a time (never
    the whole table in Arrow); returns its rows."""
    schema, rows = MARTS[name], 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in _mart(con, name).to_arrow_reader(BATCH_ROWS):
            writer.write_batch(batch.cast(schema))
            rows += batch.num_rows
    return rows


def _mart(con: duckdb.DuckDBPyConnection, name: str) -> duckdb.DuckDBPyRelation:
    """The mart's table, checked to have exactly the declared columns of schema.MARTS."""
    relation, names = con.table(name), MARTS[name].names
    if relation.columns != names:
        raise LeaderboardError(f"mart {name} has columns {relation.columns}, expected {names}")
    return relation


def build_marts(
    raw_dirs: Sequence[Path],
    roster: Roster,
    bots: Bots,
    as_of: dt.datetime,
    noreply: str,
    *,
    memory_mb: int = MEMORY_MB,
    into: Path | None = None,
    steps: Heartbeat | None = None,
) -> MartBuild:
    """Every mart of schema.MARTS for a roster over raw dirs, in a fresh DuckDB held under
    `memory_mb`: as Arrow tables (`marts`, what `leaderboard preview` compares), or with `into`
    streamed into `into/<mart>.parquet` (what `leaderboard build` writes; `marts` stays empty).
    """
    with tempfile.TemporaryDirectory(prefix="leaderboard-duckdb-") as spill:
        con = connect(memory_mb, Path(spill))
        try:
            return _build(con, raw_dirs, roster, bots, as_of, noreply, into, steps)
        finally:
            con.close()


def _build(
    con: duckdb.DuckDBPyConnection,
    raw_dirs: Sequence[Path],
    roster: Roster,
    bots: Bots,
    as_of: dt.datetime,
    noreply: str,
    into: Path | None,
    steps: Heartbeat | None,
) -> MartBuild:
    inputs = load_raw_tables(con, raw_dirs)
    register_inputs(con, roster, bots, as_of, noreply)
    try:
        run_queries(con, steps=steps, drop_spent=True)
    except LeaderboardError:
        check_raw_files(con, inputs)  # a damaged raw file is named, not the SQL that read it
        raise
    check_kinds(con)
    dropped = [
        (str(u), str(r))
        for u, r in con.execute(
            "select username, reason from int_bot_members order by username"
        ).fetchall()
    ]
    unknown = [
        str(r[0])
        for r in con.execute(
            "select username from int_unknown_usernames order by username"
        ).fetchall()
    ]
    marts, rows = _collect(con, into, steps)
    return MartBuild(
        marts=marts,
        rows=rows,
        dropped_bots=dropped,
        unknown_usernames=unknown,
        inputs=inputs,
        dropped_bot_emails=sorted(
            (user, email)
            for user, emails in roster.emails.items()
            for email in emails
            if email in bots.emails
        ),
    )


def _collect(
    con: duckdb.DuckDBPyConnection, into: Path | None, steps: Heartbeat | None
) -> tuple[dict[str, pa.Table], dict[str, int]]:
    if into is None:
        marts = {name: fetch_mart(con, name) for name in MARTS}
        return marts, {name: table.num_rows for name, table in marts.items()}
    rows = {}
    for name in MARTS:
        if steps is not None:
            steps.step(f"writing {name}.parquet")
        rows[name] = write_mart(con, name, into / f"{name}.parquet")
    return {}, rows


def check_kinds(con: duckdb.DuckDBPyConnection) -> None:
    """Every kind the SQL emits is one a metric counts: an uncounted kind is an error, not a gap."""
    stray = [
        str(r[0])
        for r in con.execute(
            "select distinct kind from int_items"
            " where kind not in (select kind from stg_metric_kinds) order by kind"
        ).fetchall()
    ]
    if stray:
        raise LeaderboardError(
            f"queries/ emit contribution kinds no metric counts: {', '.join(stray)}; "
            "add them to a metric in pipeline/metrics.py"
        )


def log_roster_findings(result: MartBuild) -> None:
    """Each once: the CLI's filter drops what validate or extract already said this run."""
    for username, reason in result.dropped_bots:
        why = "is listed in bots.txt" if reason == "bots.txt" else "is a bot account in GitLab"
        notices.bot(username, why).log(log)
    for username, email in result.dropped_bot_emails:
        log.warning(
            "teams.csv email %s of %s is listed in bots.txt: dropped, it matches nobody",
            email,
            username,
        )
    for username in result.unknown_usernames:
        notices.unknown(username).log(log)
