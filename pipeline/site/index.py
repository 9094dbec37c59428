"""index.html: the page skeleton, the 30-day boards rendered server-side for readers without JS."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline import metrics
from pipeline.schema import MARTS, WINDOWS
from pipeline.site import exports
from pipeline.site.context import SiteContext
from pipeline.site.identities import bots_section, unmatched_counts_section, unmatched_section
from pipeline.site.tables import (
    METRIC_WORDS,
    display_time,
    e,
    link,
    people_table,
    teams_table,
    time_tag,
)
from pipeline.site.verification import check_summary, listings_table, verified_line

# No network at view time, no inline script: anything injected past escaping still cannot run.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'"
)

MART_NOTES = {
    "leaderboard_users": "one row per team membership per window, with score and rank",
    "leaderboard_teams": "one row per team per window",
    "contributions": "every counted commit, MR, issue and review of the last 365 days",
    "member_emails": "the commit emails matched to each member",
    "unmatched_authors": "commit emails that match no member",
    "weekly_team_activity": "26 weeks of activity per team",
    "unmatched_projects": "the projects where each unmatched commit email appears",
    "bot_activity": "bots, listed apart: what each did, counted for no one",
    "projects": "every project in scope: its path and page, by id",
    "unmatched_by_project": "per project: how many commit emails match no member, their commits",
}
LISTED_NOTE = "one row per listed person's team membership per window, ranked among them"

DUCKDB_EXAMPLE = """-- duckdb, after downloading leaderboard_users.parquet
SELECT team, username, score, "rank"
FROM 'leaderboard_users.parquet'
WHERE "window" = '30d'
ORDER BY "rank", team, username
LIMIT 10;

-- every counted item as CSV, from contributions.parquet
COPY (SELECT * FROM 'contributions.parquet') TO 'contributions.csv' (HEADER);"""
#: the same with people not shown (LEADERBOARD_PEOPLE=hide): there is no leaderboard_users
TEAMS_EXAMPLE = DUCKDB_EXAMPLE.replace("users", "teams").replace("username", "members")
COPY_MAX = exports.COPY_MAX_MB


def window_label(name: str) -> str:
    return f"last {WINDOWS[name]} days"


def parse_optional_time(raw: Any) -> dt.datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo else None


def stale_banner(ctx: SiteContext) -> str:
    """Shown now if stale at publish time; app.js re-checks against the viewer's clock."""
    iso = ctx.as_of.isoformat().replace("+00:00", "Z")
    hidden = "" if ctx.stale else " hidden"
    pipeline = f" Check the {link(ctx.pipeline_url, 'pipeline')}." if ctx.pipeline_url else ""
    return (
        f'<div id="stale" class="stale" role="alert" data-as-of="{e(iso)}" '
        f'data-stale-hours="{ctx.stale_hours:g}"{hidden}><strong>Stale data.</strong> '
        f'<span id="stale-text">These numbers are as of {e(display_time(ctx.as_of))}, '
        f"more than {e(f'{ctx.stale_hours:g}')} hours ago; the scheduled run may have failed."
        f"</span>{pipeline}</div>"
    )


def header(ctx: SiteContext) -> str:
    manifest = ctx.manifest
    facts = [
        ("Data as of", time_tag(ctx.as_of)),
        ("Run finished", time_tag(parse_optional_time(manifest.get("finished_at")))),
    ]
    if ctx.pipeline_url:
        facts.append(("Pipeline", link(ctx.pipeline_url, ctx.pipeline_url)))
    if manifest.get("gitlab_url"):
        facts.append(("GitLab", link(manifest["gitlab_url"], manifest["gitlab_url"])))
    facts.append(("Run", f"{e(manifest.get('run_id'))} ({e(manifest.get('mode', 'run'))})"))
    facts.append(("Checked", f'{verified_line(manifest)} <a href="#verification">Details</a>'))
    items = "".join(f"<div><dt>{label}</dt><dd>{value}</dd></div>" for label, value in facts)
    return (
        '<header class="page-header"><h1>Team leaderboard</h1>'
        f'{stale_banner(ctx)}<dl class="facts">{items}</dl></header>'
    )


def controls(people: bool) -> str:
    """Hidden until app.js runs, so a reader without JS never sees dead buttons; no view switch
    when people are not shown."""
    windows = "".join(
        f'<button type="button" data-window="{name}" aria-pressed="{str(name == "30d").lower()}">'
        f"{days} days</button>"
        for name, days in WINDOWS.items()
    )
    views = (
        '<div class="switch" role="group" aria-label="View">'
        '<button type="button" data-view="people" aria-pressed="true">People</button>'
        '<button type="button" data-view="teams" aria-pressed="false">Teams</button></div>'
        if people
        else ""
    )
    return (
        '<div id="controls" class="controls" hidden>'
        f'<div class="switch" role="group" aria-label="Window">{windows}</div>{views}'
        '<label>Team <select id="team-filter"><option value="">All teams</option></select></label>'
        '<label>Search <input id="search" type="search" autocomplete="off" '
        f'placeholder="{"name or team" if people else "team"}"></label></div>'
    )


def score_formula(weights: dict[str, int]) -> str:
    if not weights:
        return ""
    # a metric weighted 0 (MRs approved, review comments by default) is shown, not scored
    terms = " + ".join(f"{weights[m]} × {METRIC_WORDS[m]}" for m in metrics.NAMES if weights[m])
    return f"Score = {e(terms)}. "


def people_note(ctx: SiteContext) -> str:
    """Why no one, or not everyone, is named: said plainly above the board."""
    audience = ctx.audience
    if audience.hidden:
        return (
            '<p id="people-note" class="people-note"><strong>People are not shown.</strong> '
            "This board ranks teams only: it names no one and has no figures per person, in the "
            "page or its downloads (the setting <code>LEADERBOARD_PEOPLE=hide</code>, as when a "
            "works council agrees to team figures but not to measuring individuals). Team "
            "totals count everyone's work, exactly as when people are shown.</p>"
        )
    if not audience.partial:
        return ""
    listed, unlisted = audience.listed, audience.unlisted
    return (
        '<p id="people-note" class="people-note">People are ranked among the '
        f"{listed} listed {'person' if listed == 1 else 'people'}; {unlisted} "
        f"{'person is' if unlisted == 1 else 'people are'} not listed (<code>listed=no</code> in "
        "teams.csv): their work counts toward their team's totals and rank, but they are named "
        "nowhere on this site.</p>"
    )


def board(ctx: SiteContext) -> str:
    label = window_label("30d")
    shown = not ctx.audience.hidden
    people = f"{people_table(ctx.rows('leaderboard_users'), '30d', label, ctx.weights)}\n"
    select = "Select a person or a team" if shown else "Select a team"
    return (
        '<section id="board" aria-labelledby="board-title">'
        '<h2 id="board-title">Leaderboard</h2>'
        f"{people_note(ctx)}{controls(shown)}"
        '<p id="status" class="status" role="status" aria-live="polite"></p>'
        '<div id="bars" class="bars-box" hidden></div>'
        "<noscript><p>Showing the last 30 days. With JavaScript on you can switch windows, "
        "sort, filter and see every counted item.</p></noscript>"
        f"{people if shown else ''}"
        f"{teams_table(ctx.rows('leaderboard_teams'), '30d', label, ctx.weights)}\n"
        f'<p class="note">{score_formula(ctx.weights)}Rank is dense: equal scores share a rank. '
        f"{select} to see the commits, merge requests, issues and reviews "
        "(approvals and comments on others' merge requests) that were counted.</p></section>"
        '<section id="detail" class="detail" aria-live="polite" hidden></section>'
    )


def weekly() -> str:
    return (
        '<section id="weekly" aria-labelledby="weekly-title">'
        '<h2 id="weekly-title">Weekly activity per team</h2>'
        '<div id="weekly-controls" hidden><label>Team <select id="weekly-team"></select>'
        "</label></div>"
        '<div id="weekly-chart"></div>'
        "<noscript><p>The chart needs JavaScript; the numbers are in "
        '<a href="data/weekly_team_activity.csv">weekly_team_activity.csv</a>.</p></noscript>'
        "</section>"
    )


def file_size(size: int) -> str:
    """A download's size as a reader sees it: kB below a megabyte, else MB (of 1024 kB)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / 1024 / 1024:.1f} MB"


def formats_cell(name: str, sizes: dict[str, int]) -> str:
    """Each file of a mart linked with its size; what is not here, said."""
    links = " ".join(
        f'<span class="format"><a href="data/{name}.{ext}">{ext}</a> '
        f'<span class="muted">{file_size(size)}</span></span>'
        for ext, size in sizes.items()
    )
    if name in exports.ITEM_LEVEL:
        return links + ' <span class="muted">Parquet only</span>'
    missing = [ext for ext in exports.FORMATS if ext not in sizes]
    if missing:
        gone = ", ".join(missing)
        return links + f' <span class="muted">{gone}: over {COPY_MAX} MB, not here</span>'
    return links


def mart_note(ctx: SiteContext, name: str) -> str:
    if name == "leaderboard_users" and ctx.audience.partial:
        return LISTED_NOTE
    return MART_NOTES[name]


def downloads(ctx: SiteContext) -> str:
    # the marts this site publishes (people's are not among them with LEADERBOARD_PEOPLE=hide)
    names = [n for n in MARTS if n in ctx.downloads] + [n for n in ctx.downloads if n not in MARTS]
    rows = "".join(
        # a break opportunity after each "_", so a phone wraps a long name between its words
        f'<tr><th scope="row">{name.replace("_", "_<wbr>")}</th><td>{e(mart_note(ctx, name))}</td>'
        f'<td class="formats">{formats_cell(name, ctx.downloads.get(name, {}))}</td></tr>'
        for name in names
    )
    raw = (
        '<p>Raw extracted tables are under <a href="data/raw/">data/raw/</a>.</p>'
        if ctx.publish_raw
        else ""
    )
    privacy = "" if ctx.publish_emails else " Emails in the downloads are masked."
    example = TEAMS_EXAMPLE if ctx.audience.hidden else DUCKDB_EXAMPLE
    return (
        '<section id="downloads" aria-labelledby="downloads-title">'
        '<h2 id="downloads-title">Download the data</h2>'
        f"<p>Every table behind this page, as of {e(display_time(ctx.as_of))}.{privacy}</p>"
        f"<p>What is where: every table is here as Parquet, with CSV and JSON copies of up to "
        f"{COPY_MAX} MB each. The counted items (<code>contributions</code>) are Parquet only: "
        "a person's or a team's items open with their drill-down above, and DuckDB turns the "
        "Parquet into CSV (below). The scheduled pipeline keeps them too, as its jobs' "
        "downloads: the build job's <code>data/marts/</code> (every table as Parquet) and the "
        "extract job's <code>data/</code> (the raw extraction and its manifest).</p>"
        '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="downloads-caption">'
        '<table class="downloads"><caption id="downloads-caption">Marts</caption>'
        '<thead><tr><th scope="col">Table</th>'
        '<th scope="col">Contents</th><th scope="col">Files</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>{raw}"
        '<p id="duckdb-example">Query it yourself with DuckDB:</p>'
        f'<pre tabindex="0" aria-labelledby="duckdb-example"><code>{e(example)}</code></pre>'
        "</section>"
    )


def project_urls(ctx: SiteContext) -> dict[str, str | None]:
    """Each in-scope project's page by its path, from the projects mart."""
    return {str(r["path_with_namespace"]): r["web_url"] for r in ctx.marts["projects"].to_pylist()}


def verification(ctx: SiteContext) -> str:
    return (
        '<section id="verification" aria-labelledby="verification-title">'
        '<h2 id="verification-title">How the data was verified</h2>'
        f"<p>{verified_line(ctx.manifest)} {check_summary(ctx.manifest)} A run that cannot "
        'prove a list complete fails and publishes nothing. The full record is <a href="data/'
        'manifest.json">manifest.json</a>.</p>'
        f"<details><summary>Every listing</summary>"
        f"{listings_table(list(ctx.manifest.get('listings') or []), project_urls(ctx))}"
        "</details></section>"
    )


# data/items/*.js and data/projects.js are loaded by items.js when a drill-down opens.
SCRIPTS = (
    "assets/stale.js",
    "data/board.js",
    "assets/dom.js",
    "assets/chart.js",
    "assets/bars.js",
    "assets/state.js",
    "assets/items.js",
    "assets/app.js",
)


def unmatched(ctx: SiteContext) -> str:
    """The unmatched commit emails, or with people hidden only how many per project."""
    return unmatched_counts_section(ctx) if ctx.audience.hidden else unmatched_section(ctx)


def render_index(ctx: SiteContext) -> str:
    scripts = "".join(f'<script src="{src}"></script>' for src in SCRIPTS)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        "<title>Team leaderboard</title>\n"
        '<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="assets/style.css">\n</head>\n<body>\n'
        f"{header(ctx)}\n<main>\n{board(ctx)}\n{weekly()}\n{unmatched(ctx)}\n{bots_section(ctx)}\n"
        f"{downloads(ctx)}\n{verification(ctx)}\n</main>\n"
        "<footer><p>Built by the <code>leaderboard</code> pipeline from GitLab data. "
        "Numbers come from the marts in the downloads, nothing else.</p></footer>\n"
        f"{scripts}\n</body>\n</html>\n"
    )
