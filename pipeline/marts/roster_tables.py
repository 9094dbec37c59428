"""Registers the roster, bots.txt, the metrics registry and build parameters as DuckDB inputs."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from pipeline import metrics
from pipeline.roster.teams import Bots, Roster
from pipeline.schema import TS, WINDOWS

MEMBERSHIPS = pa.schema(
    [
        pa.field("team", pa.string()),
        pa.field("username", pa.string()),
        pa.field("joined_on", pa.date32()),
        pa.field("left_on", pa.date32()),
        pa.field("listed", pa.bool_()),
    ]
)
ROSTER_EMAILS = pa.schema([pa.field("username", pa.string()), pa.field("email", pa.string())])
BOT_USERNAMES = pa.schema([pa.field("username", pa.string())])
BOT_EMAILS = pa.schema([pa.field("email", pa.string())])
PARAMS = pa.schema([pa.field("as_of", TS), pa.field("noreply_domain", pa.string())])
WINDOW_TABLE = pa.schema(
    [
        pa.field("window_name", pa.string()),
        pa.field("days", pa.int64()),
        pa.field("sort_order", pa.int64()),
    ]
)
METRICS = pa.schema(
    [
        pa.field("name", pa.string()),
        pa.field("position", pa.int64()),
        pa.field("counting", pa.string()),
        pa.field("weight", pa.int64()),
        pa.field("bots", pa.bool_()),
    ]
)
METRIC_KINDS = pa.schema([pa.field("metric", pa.string()), pa.field("kind", pa.string())])


def register_inputs(
    con: duckdb.DuckDBPyConnection,
    roster: Roster,
    bots: Bots,
    as_of: dt.datetime,
    noreply: str,
    registry: tuple[metrics.Metric, ...] = metrics.METRICS,
) -> None:
    """Create the `input_*` tables the staging SQL reads; values travel as data, never as SQL."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    tables = {
        "input_memberships": _memberships(roster),
        "input_roster_emails": _roster_emails(roster),
        "input_bot_usernames": pa.table({"username": sorted(bots.usernames)}, schema=BOT_USERNAMES),
        "input_bot_emails": pa.table({"email": sorted(bots.emails)}, schema=BOT_EMAILS),
        "input_params": pa.table(
            {"as_of": [as_of.astimezone(dt.UTC)], "noreply_domain": [noreply]}, schema=PARAMS
        ),
        "input_windows": pa.table(
            {
                "window_name": list(WINDOWS),
                "days": list(WINDOWS.values()),
                "sort_order": list(range(len(WINDOWS))),
            },
            schema=WINDOW_TABLE,
        ),
        **metric_tables(registry),
    }
    for name, table in tables.items():
        con.from_arrow(table).create(name)


def _memberships(roster: Roster) -> pa.Table:
    rows = roster.memberships
    return pa.table(
        {
            "team": [m.team for m in rows],
            "username": [m.username for m in rows],
            "joined_on": [m.joined for m in rows],
            "left_on": [m.left for m in rows],
            "listed": [m.username not in roster.unlisted for m in rows],
        },
        schema=MEMBERSHIPS,
    )


def _roster_emails(roster: Roster) -> pa.Table:
    pairs = [(user, email) for user, emails in roster.emails.items() for email in emails]
    return pa.table(
        {"username": [p[0] for p in pairs], "email": [p[1] for p in pairs]},
        schema=ROSTER_EMAILS,
    )


def metric_tables(registry: tuple[metrics.Metric, ...]) -> dict[str, pa.Table]:
    """`input_metrics` and `input_metric_kinds`: the registry as data for the SQL."""
    return {
        "input_metrics": pa.table(
            {
                "name": [m.name for m in registry],
                "position": list(range(1, len(registry) + 1)),
                "counting": [str(m.counting) for m in registry],
                "weight": [m.weight for m in registry],
                "bots": [m.bots for m in registry],
            },
            schema=METRICS,
        ),
        "input_metric_kinds": pa.table(
            {
                "metric": [m.name for m in registry for _ in m.kinds],
                "kind": [k for m in registry for k in m.kinds],
            },
            schema=METRIC_KINDS,
        ),
    }
