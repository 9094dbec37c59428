"""The Pages site's files: assets, data scripts and index.html, from a SiteContext."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline import metrics
from pipeline.schema import MARTS, WINDOWS
from pipeline.site import index, items
from pipeline.site.context import SiteContext
from pipeline.site.exports import plain_value, safe_json
from pipeline.site.items import fixed_timestamp, write_text
from pipeline.site.tables import board_columns, metric_order

METRIC_BY_NAME = {m.name: m for m in metrics.METRICS}

ASSETS = (
    "style.css",
    "stale.js",
    "dom.js",
    "chart.js",
    "bars.js",
    "state.js",
    "items.js",
    "app.js",
    "favicon.svg",
)
DEFAULT_WINDOW = "30d"


def window_starts(as_of: dt.datetime) -> dict[str, str]:
    """The first instant of each window `[as_of - N days, as_of)`."""
    return {
        name: fixed_timestamp(as_of - dt.timedelta(days=days)) for name, days in WINDOWS.items()
    }


def columnar(table: pa.Table) -> dict[str, Any]:
    """A compact {columns, rows} form of a table for the page's data scripts."""
    rows = []
    for row in table.to_pylist():
        rows.append(
            [
                fixed_timestamp(v) if isinstance(v, dt.datetime) else plain_value(v)
                for v in row.values()
            ]
        )
    return {"columns": table.column_names, "rows": rows}


def board_payload(ctx: SiteContext, item_index: dict[str, Any]) -> dict[str, Any]:
    """Boards, weekly activity, the facts the header shows and where each membership's items
    are (`items`: the drill-down loads only the files of the person or team opened)."""
    return {
        "meta": {
            "as_of": fixed_timestamp(ctx.as_of),
            "stale_hours": ctx.stale_hours,
            "weights": ctx.weights,
            "default_window": DEFAULT_WINDOW,
            "windows": [
                {"name": name, "days": days, "start": window_starts(ctx.as_of)[name]}
                for name, days in WINDOWS.items()
            ],
            # the columns of each board and the metrics, so app.js, bars.js, chart.js and
            # items.js keep no list of their own (pipeline/metrics.py is the one)
            "columns": {
                view: [c.as_json() for c in board_columns(view, ctx.weights)]
                for view in ("people", "teams")
            },
            "metrics": [
                metric_json(METRIC_BY_NAME[key], ctx.weights.get(key))
                for key in metric_order(ctx.weights)
            ],
            # "hide": no people view; else how many are listed, and per team those who are not
            "people": {
                "mode": ctx.audience.mode,
                "listed": ctx.audience.listed,
                "unlisted": ctx.audience.unlisted,
                "unlisted_by_team": ctx.audience.unlisted_json(),
            },
        },
        # none with LEADERBOARD_PEOPLE=hide; only the listed people when some are not
        "users": columnar(
            ctx.marts.get("leaderboard_users", MARTS["leaderboard_users"].empty_table())
        ),
        "teams": columnar(ctx.marts["leaderboard_teams"]),
        "weekly": columnar(ctx.marts["weekly_team_activity"]),
        "items": item_index,
    }


def metric_json(metric: metrics.Metric, weight: int | None) -> dict[str, Any]:
    """A registry entry as the page's scripts read it; weight None when build.json did not say
    (the weights a build used are the page's, the registry's the code's)."""
    return {
        "key": metric.name,
        "label": metric.label,
        "words": metric.words,
        "meaning": metric.meaning,
        "kinds": list(metric.kinds),
        "distinct": metric.counting == metrics.Counting.DISTINCT,
        "marker": metric.marker,
        "weight": weight,
    }


def data_script(variable: str, payload: dict[str, Any]) -> str:
    """A script that sets one global, so the page works from file:// with no fetch()."""
    return f"window.{variable} = {safe_json(payload)};\n"


def write_site_files(ctx: SiteContext, out: Path) -> None:
    """Assets, data scripts and index.html into out, each with its gzip copy for Pages (downloads
    are written by exports)."""
    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    # Beside this module (package data), not importlib.resources: a stale editable install can
    # make `pipeline` a namespace package, whose resources reader rejects it.
    package = Path(__file__).resolve().parent / "assets"
    for name in ASSETS:
        write_text(assets / name, (package / name).read_text(encoding="utf-8"))
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    item_index = items.write_items(ctx.marts["contributions"], ctx.marts["projects"], out)
    write_text(data / "board.js", data_script("LEADERBOARD", board_payload(ctx, item_index)))
    write_text(out / "index.html", index.render_index(ctx))
