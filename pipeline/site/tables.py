"""The page's tables, each from one column list: the metrics, the 30-day boards, and helpers."""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from pipeline import metrics
from pipeline.schema import WINDOWS

#: The metrics' labels and their words inside a sentence ("3 MRs merged"), from the registry
#: (pipeline/metrics.py), the one list the tables, the bars, the weekly chart and the
#: drill-down read (the page gets it in board.js).
METRIC_LABELS = {m.name: m.label for m in metrics.METRICS}
METRIC_WORDS = {m.name: m.words for m in metrics.METRICS}


@dataclass(frozen=True)
class Column:
    """One column of a table: its header and how each row's cell is made, from one place.

    `type`: "rank" (rank and movement), "name" (the row header), "team" (a team named in a
    person's row), "num", "text"; `render` makes a cell other than these. `weight` is a
    metric's weight in the score (0: shown, not scored); None when the column is no metric.
    """

    key: str
    label: str
    type: str = "text"
    weight: int | None = None
    render: Callable[[dict[str, Any]], str] | None = field(default=None, compare=False)

    @property
    def note(self) -> str:
        """What the header says under a metric's label: its weight, or that it is not scored."""
        if self.weight is None:
            return ""
        return f"×{self.weight}" if self.weight else "not scored"

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "type": self.type, "note": self.note}


def metric_order(weights: dict[str, int]) -> list[str]:
    """The board's metric columns: those that add to the score first (next to Score), then
    those shown but weighted 0; each group in the marts' order."""
    scored = [m for m in metrics.NAMES if weights.get(m, 1)]
    return scored + [m for m in metrics.NAMES if m not in scored]


def metric_columns(weights: dict[str, int], names: Sequence[str] = metrics.NAMES) -> list[Column]:
    order = [m for m in metric_order(weights) if m in names]
    return [Column(m, METRIC_LABELS[m], "num", weights.get(m) if weights else None) for m in order]


def board_columns(view: str, weights: dict[str, int]) -> list[Column]:
    """The people or team board's columns: the server's 30-day tables and app.js use these."""
    if view == "people":
        first = [Column("rank", "Rank", "rank"), Column("username", "Person", "name"),
                 Column("team", "Team", "team")]  # fmt: skip
    else:
        first = [Column("rank", "Rank", "rank"), Column("team", "Team", "name"),
                 Column("members", "Members", "num")]  # fmt: skip
    return [*first, Column("score", "Score", "num"), *metric_columns(weights)]


def e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_href(url: object) -> str | None:
    """Only http(s) URLs become links; a planted `javascript:` URL stays plain text."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def link(url: object, text: object) -> str:
    href = safe_href(url)
    if href is None:
        return e(text)
    return f'<a href="{e(href)}" rel="noopener noreferrer">{e(text)}</a>'


def display_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def time_tag(value: dt.datetime | None) -> str:
    if value is None:
        return "unknown"
    iso = value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return f'<time datetime="{e(iso)}">{e(display_time(value))}</time>'


def movement(rank: int, prev_rank: int | None, before: str) -> tuple[str, str, str]:
    """(css class, what is shown, what a screen reader says) for a rank since the period before,
    `before` naming it ("previous 30 days")."""
    if prev_rank is None:
        return "new", "new", f"new: not on the board in the {before}"
    if prev_rank == rank:
        return "same", "=", f"same rank as in the {before}"
    places = abs(prev_rank - rank)
    noun = "place" if places == 1 else "places"
    way, arrow = ("up", "\u2191") if prev_rank > rank else ("down", "\u2193")
    said = f"{way} {places} {noun} from rank {prev_rank} in the {before}"
    return way, f"{arrow}{places}", said


def rank_cell(rank: int, tied: bool, prev_rank: int | None, window: str) -> str:
    """The rank, "(tied)", and the movement: an arrow for the eye, words for screen readers."""
    tie = '<span class="tie"> (tied)</span>' if tied else ""
    kind, shown, said = movement(rank, prev_rank, f"previous {WINDOWS[window]} days")
    move = (
        f'<span class="move {kind}"><span aria-hidden="true">{e(shown)}</span>'
        f'<span class="visually-hidden">{e(said)}</span></span>'
    )
    return f'<td class="num rank">{rank}{tie} {move}</td>'


def header_cell(column: Column) -> str:
    note = f' <span class="weight">{e(column.note)}</span>' if column.note else ""
    classes = " ".join(
        name
        for name, on in (("num", column.type in ("num", "rank")), ("unscored", column.weight == 0))
        if on
    )
    attr = f' class="{classes}"' if classes else ""
    label = f'<span class="label">{e(column.label)}{note}</span>' if note else e(column.label)
    return f'<th scope="col" data-key="{e(column.key)}"{attr}>{label}</th>'


def cell(column: Column, row: dict[str, Any]) -> str:
    """A row's cell for a column of the plain types; `render` for any other."""
    if column.render is not None:
        return column.render(row)
    value = row.get(column.key)
    if column.type == "name":
        # the team, for the phone layout that shows it under a person's sticky name
        team = f' data-team="{e(row["team"])}"' if row.get("team") is not None else ""
        return f'<th scope="row"{team}>{e(value)}</th>'
    if column.type == "num":
        extra = " score" if column.key == "score" else ""
        return f'<td class="num{extra}">{"" if value is None else int(value)}</td>'
    if column.type == "team":
        return f'<td class="team">{e(value)}</td>'
    return f"<td>{e(value)}</td>"


def table(
    table_id: str,
    caption: str,
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    row_attrs: Callable[[dict[str, Any]], str] = lambda row: "",
) -> str:
    """A real data table whose header and every row's cells come from the same `columns`:
    caption, column headers with scope, one row header per row."""
    head = "".join(header_cell(c) for c in columns)
    body = "\n".join(
        f"<tr{row_attrs(row)}>{''.join(cell(c, row) for c in columns)}</tr>" for row in rows
    )
    return (
        # a scroll box the keyboard can reach, named by the table's caption
        '<div class="table-wrap" tabindex="0" role="region" '
        f'aria-labelledby="{e(table_id)}-caption">'
        f'<table id="{e(table_id)}" class="board">\n'
        f'<caption id="{e(table_id)}-caption">{caption}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def text_key(value: object) -> tuple[str, str]:
    """Case-insensitive, then exact: the same order app.js uses when it re-sorts."""
    text = "" if value is None else str(value)
    return (text.lower(), text)


def _ordered(rows: list[dict[str, Any]], window: str) -> list[dict[str, Any]]:
    chosen = [row for row in rows if row["window"] == window]
    return sorted(
        chosen, key=lambda r: (r["rank"], text_key(r["team"]), text_key(r.get("username")))
    )


def _board_rows(
    rows: list[dict[str, Any]], window: str
) -> tuple[list[dict[str, Any]], Callable[[dict[str, Any]], str]]:
    """The window's rows in rank order, and their rank cell (rank, "(tied)", movement)."""
    chosen = _ordered(rows, window)
    ties = Counter(row["rank"] for row in chosen)

    def rank(row: dict[str, Any]) -> str:
        return rank_cell(row["rank"], ties[row["rank"]] > 1, row["prev_rank"], window)

    return chosen, rank


def _with_rank(columns: list[Column], rank: Callable[[dict[str, Any]], str]) -> list[Column]:
    return [replace(c, render=rank) if c.type == "rank" else c for c in columns]


def people_table(
    rows: list[dict[str, Any]], window: str, window_label: str, weights: dict[str, int]
) -> str:
    chosen, rank = _board_rows(rows, window)
    columns = _with_rank(board_columns("people", weights), rank)

    def attrs(r: dict[str, Any]) -> str:
        return f' data-team="{e(r["team"])}" data-username="{e(r["username"])}"'

    caption = f"People, {e(window_label)}: {len(chosen)} rows"
    return table("board-people", caption, columns, chosen, attrs)


def teams_table(
    rows: list[dict[str, Any]], window: str, window_label: str, weights: dict[str, int]
) -> str:
    chosen, rank = _board_rows(rows, window)
    columns = _with_rank(board_columns("teams", weights), rank)
    caption = f"Teams, {e(window_label)}: {len(chosen)} teams"
    return table("board-teams", caption, columns, chosen, lambda r: f' data-team="{e(r["team"])}"')
