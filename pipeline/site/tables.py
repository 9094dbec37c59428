"""Server-rendered HTML tables of the page: the 30-day boards and listings, and helpers."""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from pipeline.schema import METRIC_NAMES, WINDOWS

METRIC_LABELS = {
    "commits": "Commits",
    "mrs_opened": "MRs opened",
    "mrs_merged": "MRs merged",
    "issues_opened": "Issues opened",
    "issues_closed": "Issues closed",
    "mrs_approved": "MRs approved",
    "review_comments": "Review comments",
    "mrs_reviewed": "MRs reviewed",
}
METRIC_WORDS = {
    "commits": "commits",
    "mrs_opened": "MRs opened",
    "mrs_merged": "MRs merged",
    "issues_opened": "issues opened",
    "issues_closed": "issues closed",
    "mrs_approved": "MRs approved",
    "review_comments": "review comments",
    "mrs_reviewed": "MRs reviewed",
}
LISTINGS_LIMIT = 200


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


def table(
    table_id: str, caption: str, headers: Sequence[tuple[str, str]], body: Iterable[str]
) -> str:
    """A real data table: caption, column headers with scope, one row header per row."""
    head = "".join(f'<th scope="col" data-key="{e(key)}">{e(label)}</th>' for key, label in headers)
    rows = "\n".join(body)
    return (
        # a scroll box the keyboard can reach, named by the table's caption
        '<div class="table-wrap" tabindex="0" role="region" '
        f'aria-labelledby="{e(table_id)}-caption">'
        f'<table id="{e(table_id)}" class="board">\n'
        f'<caption id="{e(table_id)}-caption">{caption}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table></div>"
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


def _metric_cells(row: dict[str, Any]) -> str:
    return "".join(f'<td class="num">{int(row[m])}</td>' for m in METRIC_NAMES)


PEOPLE_HEADERS = [
    ("rank", "Rank"), ("username", "Person"), ("team", "Team"), ("score", "Score"),
    *METRIC_LABELS.items(),
]  # fmt: skip
TEAM_HEADERS = [
    ("rank", "Rank"), ("team", "Team"), ("members", "Members"), ("score", "Score"),
    *METRIC_LABELS.items(),
]  # fmt: skip


def people_table(rows: list[dict[str, Any]], window: str, window_label: str) -> str:
    chosen = _ordered(rows, window)
    ties = Counter(row["rank"] for row in chosen)
    body = (
        f'<tr data-team="{e(r["team"])}" data-username="{e(r["username"])}">'
        f"{rank_cell(r['rank'], ties[r['rank']] > 1, r['prev_rank'], window)}"
        f'<th scope="row">{e(r["username"])}</th><td>{e(r["team"])}</td>'
        f'<td class="num score">{int(r["score"])}</td>{_metric_cells(r)}</tr>'
        for r in chosen
    )
    caption = f"People, {e(window_label)}: {len(chosen)} rows"
    return table("board-people", caption, PEOPLE_HEADERS, body)


def teams_table(rows: list[dict[str, Any]], window: str, window_label: str) -> str:
    chosen = _ordered(rows, window)
    ties = Counter(row["rank"] for row in chosen)
    body = (
        f'<tr data-team="{e(r["team"])}">'
        f"{rank_cell(r['rank'], ties[r['rank']] > 1, r['prev_rank'], window)}"
        f'<th scope="row">{e(r["team"])}</th><td class="num">{int(r["members"])}</td>'
        f'<td class="num score">{int(r["score"])}</td>{_metric_cells(r)}</tr>'
        for r in chosen
    )
    caption = f"Teams, {e(window_label)}: {len(chosen)} teams"
    return table("board-teams", caption, TEAM_HEADERS, body)


def listing_scope(listing: dict[str, Any]) -> str:
    for key in ("project", "group", "key", "scope"):
        if listing.get(key) not in (None, ""):
            return str(listing[key])
    return ""


LISTING_HEADERS = [
    ("what", "Listing"), ("scope", "Of"), ("check", "Check"), ("pages", "Pages"),
    ("rows", "Rows"), ("x_total", "x-total"), ("retries", "Retries"),
]  # fmt: skip


def listings_table(
    listings: list[dict[str, Any]], project_urls: dict[str, str | None] | None = None
) -> str:
    """The manifest's listings; a project listing's path links to the project when known."""
    urls = project_urls or {}
    body = (
        f'<tr><th scope="row">{e(item.get("what"))}</th>'
        f"<td>{link(urls.get(str(item.get('project'))), listing_scope(item))}</td>"
        f'<td>{e(item.get("check"))}</td><td class="num">{e(item.get("pages"))}</td>'
        f'<td class="num">{e(item.get("rows"))}</td><td class="num">{e(item.get("x_total"))}</td>'
        f'<td class="num">{e(item.get("retries"))}</td></tr>'
        for item in listings[:LISTINGS_LIMIT]
    )
    caption = f"Listings of this run: {len(listings)}"
    if len(listings) > LISTINGS_LIMIT:
        caption += f" (first {LISTINGS_LIMIT} shown; all in data/manifest.json)"
    return table("listings", caption, LISTING_HEADERS, body)


CHECK_WORDS = {
    "x-total": "by x-total (distinct rows at least GitLab's x-total)",
    "end-of-list": "by end of list (read until no Link rel=next)",
    "range": "by range (an incremental OLD..NEW commit listing)",
    "watermark": "by watermark (incremental review events, newest first down to the last run's)",
}


def plural(count: object, noun: str) -> str:
    return f"{e(count)} {noun}" if count == 1 else f"{e(count)} {noun}s"


def verification_summary(manifest: dict[str, Any]) -> str:
    """One sentence on how the listings were verified, from the manifest's checks."""
    listings = manifest.get("listings") or []
    checks = Counter(str(item.get("check")) for item in listings)
    parts = [
        f"{count} {e(CHECK_WORDS.get(check, 'by ' + check))}"
        for check, count in sorted(checks.items())
    ]
    text = f"{plural(len(listings), 'listing')} proved complete: " + ("; ".join(parts) or "none")
    requests = manifest.get("requests") or {}
    if requests:
        text += (
            f". {plural(requests.get('total', '?'), 'request')}, {e(requests.get('retried', 0))}"
            f" retried, {plural(requests.get('rate_limit_waits', 0), 'rate-limit wait')}"
        )
    return text + "."
