"""Runs queries/*.sql in name order in DuckDB over raw tables and the roster; returns the marts."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import LeaderboardError
from pipeline.marts.raw_tables import load_raw_tables
from pipeline.marts.roster_tables import register_inputs
from pipeline.roster import notices
from pipeline.roster.teams import Bots, Roster
from pipeline.schema import MARTS

log = logging.getLogger("leaderboard.build")


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


def connect() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB whose session time zone is UTC, so no local zone leaks in."""
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    return con


def query_files(queries_dir: Path = QUERIES_DIR) -> list[Path]:
    files = sorted(queries_dir.glob("*.sql"))
    if not files:
        raise LeaderboardError(f"no SQL files in {queries_dir}; the build needs queries/*.sql")
    return files


def run_queries(con: duckdb.DuckDBPyConnection, queries_dir: Path = QUERIES_DIR) -> None:
    """Run every queries/*.sql in name order; a failing file is named in the error."""
    for path in query_files(queries_dir):
        try:
            con.execute(path.read_text(encoding="utf-8"))
        except duckdb.Error as exc:
            raise LeaderboardError(f"build failed in {path.name}: {exc}") from exc


def fetch_mart(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    """One mart as Arrow with exactly the declared columns and types of schema.MARTS."""
    schema = MARTS[name]
    table = con.table(name).to_arrow_table()
    if table.column_names != schema.names:
        raise LeaderboardError(
            f"mart {name} has columns {table.column_names}, expected {schema.names}"
        )
    return table.cast(schema)


def build_marts(
    raw_dirs: Sequence[Path], roster: Roster, bots: Bots, as_of: dt.datetime, noreply: str
) -> MartBuild:
    """Every mart of schema.MARTS for a roster over raw dirs, in a fresh DuckDB; nothing written.

    What `leaderboard build` writes and what `leaderboard preview` compares.
    """
    con = connect()
    try:
        return _build(con, raw_dirs, roster, bots, as_of, noreply)
    finally:
        con.close()


def _build(
    con: duckdb.DuckDBPyConnection,
    raw_dirs: Sequence[Path],
    roster: Roster,
    bots: Bots,
    as_of: dt.datetime,
    noreply: str,
) -> MartBuild:
    inputs = load_raw_tables(con, raw_dirs)
    register_inputs(con, roster, bots, as_of, noreply)
    run_queries(con)
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
    return MartBuild(
        marts={name: fetch_mart(con, name) for name in MARTS},
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
