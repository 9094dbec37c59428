"""The page's people-facing identity sections: unmatched emails to claim, and bots listed apart."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline import metrics
from pipeline.roster.identities import CLAIM_HEADER, Bot, UnmatchedEmail
from pipeline.site.context import SiteContext
from pipeline.site.tables import METRIC_LABELS, Column, e, link, table, time_tag

UNMATCHED_LIMIT = 200
PLACES_LIMIT = 5
ARTIFACT = "data/marts/unmatched_authors.parquet"


def commit_count(count: int) -> str:
    return f"{count} commit" if count == 1 else f"{count} commits"


def places_cell(item: UnmatchedEmail) -> str:
    """Up to PLACES_LIMIT project paths (linked), each with its commits, then how many more."""
    shown = [
        f'<li>{link(p.web_url, p.path)} <span class="count">({commit_count(p.commits)})</span></li>'
        for p in item.places[:PLACES_LIMIT]
    ]
    more = item.projects - len(shown)
    tail = f'<li class="more">and {more} more</li>' if more > 0 else ""
    return f'<td><ul class="places">{"".join(shown)}{tail}</ul></td>'


def claim_cell(item: UnmatchedEmail, ctx: SiteContext) -> str:
    if item.problem:
        return f"<td>{e(item.problem)}</td>"
    if item.claim_line is None:
        where = link(ctx.pipeline_url, "pipeline") if ctx.pipeline_url else "pipeline"
        return f"<td>Full address in the scheduled {where}'s artifacts</td>"
    edit = f" {link(ctx.edit_teams_url, 'edit')}" if ctx.edit_teams_url else ""
    return f'<td class="claim"><code>{e(item.claim_line)}</code>{edit}</td>'


def time_cell(value: dt.datetime | None) -> str:
    return f"<td>{time_tag(value)}</td>"


def unmatched_columns(ctx: SiteContext) -> list[Column]:
    def item(row: dict[str, Any]) -> UnmatchedEmail:
        found: UnmatchedEmail = row["item"]
        return found

    return [
        Column("email", "Commit email", "name"),
        Column("name", "Name on the commits"),
        Column("commits", "Commits to add", "num"),
        Column("projects", "Where it appears", render=lambda r: places_cell(item(r))),
        Column("first_seen", "First seen", render=lambda r: time_cell(r["first_seen"])),
        Column("last_seen", "Last seen", render=lambda r: time_cell(r["last_seen"])),
        Column("claim", "Claim it", render=lambda r: claim_cell(item(r), ctx)),
    ]


def unmatched_table(ctx: SiteContext) -> str:
    items = ctx.unmatched
    rows = [
        {"email": i.email, "name": i.name, "commits": i.commits, "first_seen": i.first_seen,
         "last_seen": i.last_seen, "item": i}
        for i in items[:UNMATCHED_LIMIT]
    ]  # fmt: skip
    caption = f"Commit emails that match no member: {len(items)}"
    if len(items) > UNMATCHED_LIMIT:
        caption += f" (the {UNMATCHED_LIMIT} with most commits shown; all in the downloads)"
    return table("unmatched-authors", caption, unmatched_columns(ctx), rows)


def claim_help(ctx: SiteContext) -> str:
    """How to claim an email: the teams.csv line, the editor link, where masked addresses are."""
    teams = link(ctx.edit_teams_url, "teams.csv") if ctx.edit_teams_url else "teams.csv"
    text = (
        f" To claim one, add it to the <code>emails</code> of one of that person's rows in "
        f"{teams} (after a <code>;</code> if the cell holds some already); for someone not on "
        f"the roster yet, add the row in the Claim it column (<code>{e(CLAIM_HEADER)}</code>, "
        "in your header's column order). "
        "The merge request's preview shows the commits it moves before anything is published."
    )
    if not ctx.publish_emails:
        text += (
            " Emails are masked here and in the downloads; the full addresses are in the "
            f"scheduled pipeline's job artifacts (<code>{e(ARTIFACT)}</code>)."
        )
    return text


def unmatched_section(ctx: SiteContext) -> str:
    return (
        '<section id="unmatched" aria-labelledby="unmatched-title">'
        '<h2 id="unmatched-title">Unmatched commit authors</h2>'
        "<p>Commits in the last 365 days whose author email belongs to no one on the roster, "
        "with the projects where they were found. Bots are not listed here."
        f"{claim_help(ctx)}</p>{unmatched_table(ctx)}</section>"
    )


#: bot_activity lists what bots authored: the item metrics, never review credit.
BOT_COLUMNS = [
    Column("who", "Bot", "name"),
    Column("source", "Recognised by"),
    Column("on_roster", "In teams.csv"),
    *(Column(m, METRIC_LABELS[m], "num") for m in metrics.BOT_NAMES),
]


def bot_rows(bots: tuple[Bot, ...]) -> list[dict[str, Any]]:
    return [
        {"who": b.who, "kind": "email" if b.is_email else "username", "source": b.source_words,
         "on_roster": "yes" if b.on_roster else "no", **b.metrics}
        for b in bots
    ]  # fmt: skip


def bots_section(ctx: SiteContext) -> str:
    items = ctx.bots
    caption = f"Bots, never counted: {len(items)}"
    return (
        '<section id="bots" aria-labelledby="bots-title">'
        '<h2 id="bots-title">Bots (not counted)</h2>'
        "<p>Accounts GitLab flags as bots and the usernames and emails listed in "
        "<code>bots.txt</code>. Their work in the last 365 days is shown here only: it counts "
        "for no one, and a bot on the roster is dropped from it. GitLab's flag is known for "
        "roster usernames, whose user records are fetched; list other bots in "
        "<code>bots.txt</code>.</p>"
        f"{table('bots-table', caption, BOT_COLUMNS, bot_rows(items), _kind)}</section>"
    )


def _kind(row: dict[str, Any]) -> str:
    return f' data-kind="{row["kind"]}"'


COUNT_COLUMNS = [
    Column(
        "project",
        "Project",
        "name",
        render=lambda r: f'<th scope="row">{link(r["web_url"], r["path_with_namespace"])}</th>',
    ),
    Column("emails", "Commit emails matching no member", "num"),
    Column("commits", "Their commits", "num"),
]


def unmatched_counts_section(ctx: SiteContext) -> str:
    """With people not shown: how many unmatched commit emails each project has, no addresses."""
    rows = ctx.rows("unmatched_by_project")
    caption = f"Projects with commit emails that match no member: {len(rows)}"
    return (
        '<section id="unmatched" aria-labelledby="unmatched-title">'
        '<h2 id="unmatched-title">Unmatched commit authors</h2>'
        "<p>Commits in the last 365 days whose author email belongs to no one on the roster, "
        "counted per project. People are not shown on this site, so the addresses are not "
        "either; the scheduled pipeline's job artifacts (for the project's Developers) hold "
        f"them (<code>{e(ARTIFACT)}</code>), and teams.csv claims them as usual.</p>"
        f"{table('unmatched-counts', caption, COUNT_COLUMNS, rows)}</section>"
    )
