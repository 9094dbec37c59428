"""How the run was checked, in plain words: the header's line and the table of every listing."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.site.tables import Column, e, link, table

LISTINGS_LIMIT = 200

#: What each of the manifest's `check` values proved, in words a reader of the board knows.
CHECK_WORDS = {
    "x-total": "counted: at least as many distinct items as GitLab said the list holds",
    "end-of-list": "read to the last page (GitLab gives no total for these)",
    "range": "only the commits new since the last run (an OLD..NEW range)",
    "watermark": "only the review events new since the last run",
}

#: The listing kinds, as the header names them.
WHAT_WORDS = {
    "projects": "projects",
    "merge_requests": "merge requests",
    "issues": "issues",
    "commits": "commits",
}


def listing_scope(listing: dict[str, Any]) -> str:
    for key in ("project", "group", "key", "scope"):
        if listing.get(key) not in (None, ""):
            return str(listing[key])
    return ""


def plural(count: object, noun: str) -> str:
    return f"{e(count)} {noun}" if count == 1 else f"{e(count)} {noun}s"


def _what(listing: dict[str, Any]) -> str:
    what = str(listing.get("what") or "")
    return "review events" if what.startswith("events") else WHAT_WORDS.get(what, what)


def verified_line(manifest: dict[str, Any]) -> str:
    """The header's one sentence: what was fetched and that each list was checked complete."""
    listings = manifest.get("listings") or []
    kinds = list(dict.fromkeys(_what(item) for item in listings))
    what = ", ".join(kinds[:-1]) + f" and {kinds[-1]}" if len(kinds) > 1 else "".join(kinds)
    text = (
        f"All {plural(len(listings), 'list')} fetched from GitLab ({e(what)}) were read to the "
        "end and checked complete"
        if listings
        else "Nothing was fetched from GitLab"
    )
    requests = manifest.get("requests") or {}
    if requests:
        retried = requests.get("retried", 0)
        text += f"; {plural(requests.get('total', '?'), 'request')}, {e(retried)} retried"
    return text + "."


def check_summary(manifest: dict[str, Any]) -> str:
    """How each list was proved complete, counted by the manifest's `check` values."""
    listings = manifest.get("listings") or []
    checks = Counter(str(item.get("check")) for item in listings)
    parts = [
        f"{count} {e(CHECK_WORDS.get(check, check))}" for check, count in sorted(checks.items())
    ]
    return "How each list was proved complete: " + ("; ".join(parts) or "none") + "."


def listings_table(
    listings: list[dict[str, Any]], project_urls: dict[str, str | None] | None = None
) -> str:
    """The manifest's listings; a project listing's path links to the project when known."""
    urls = project_urls or {}

    def scope(item: dict[str, Any]) -> str:
        return f"<td>{link(urls.get(str(item.get('project'))), listing_scope(item))}</td>"

    columns = [
        Column("what", "Listing", "name"),
        Column("scope", "Of", render=scope),
        Column("check", "Check"),
        *(Column(key, label, render=_number(key)) for key, label in
          (("pages", "Pages"), ("rows", "Rows"), ("x_total", "x-total"),
           ("retries", "Retries"))),
    ]  # fmt: skip
    caption = f"Listings of this run: {len(listings)}"
    if len(listings) > LISTINGS_LIMIT:
        caption += f" (first {LISTINGS_LIMIT} shown; all in data/manifest.json)"
    return table("listings", caption, columns, listings[:LISTINGS_LIMIT])


def _number(key: str) -> Any:
    """A manifest count as written (None stays empty): the manifest is shown, not re-typed."""
    return lambda item: f'<td class="num">{e(item.get(key))}</td>'
