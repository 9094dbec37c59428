"""The page's people-facing identity sections: unmatched emails to claim, and bots listed apart."""

from __future__ import annotations

from pipeline.roster.identities import CLAIM_HEADER, Bot, UnmatchedEmail
from pipeline.schema import METRIC_NAMES
from pipeline.site.context import SiteContext
from pipeline.site.tables import METRIC_LABELS, e, link, table, time_tag

UNMATCHED_LIMIT = 200
PLACES_LIMIT = 5
ARTIFACT = "data/marts/unmatched_authors.parquet"

UNMATCHED_HEADERS = [
    ("author_email", "Commit email"), ("author_name", "Name on the commits"),
    ("commits", "Commits to add"), ("projects", "Where it appears"),
    ("first_seen", "First seen"), ("last_seen", "Last seen"), ("claim", "Claim it"),
]  # fmt: skip
BOT_HEADERS = [
    ("who", "Bot"), ("source", "Recognised by"), ("on_roster", "In teams.csv"),
    *METRIC_LABELS.items(),
]  # fmt: skip


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


def unmatched_row(item: UnmatchedEmail, ctx: SiteContext) -> str:
    return (
        f'<tr><th scope="row">{e(item.email)}</th><td>{e(item.name)}</td>'
        f'<td class="num">{item.commits}</td>{places_cell(item)}'
        f"<td>{time_tag(item.first_seen)}</td><td>{time_tag(item.last_seen)}</td>"
        f"{claim_cell(item, ctx)}</tr>"
    )


def unmatched_table(ctx: SiteContext) -> str:
    items = ctx.unmatched
    body = (unmatched_row(item, ctx) for item in items[:UNMATCHED_LIMIT])
    caption = f"Commit emails that match no member: {len(items)}"
    if len(items) > UNMATCHED_LIMIT:
        caption += f" (the {UNMATCHED_LIMIT} with most commits shown; all in the downloads)"
    return table("unmatched-authors", caption, UNMATCHED_HEADERS, body)


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


def bot_row(bot: Bot) -> str:
    kind = "email" if bot.is_email else "username"
    metrics = "".join(f'<td class="num">{bot.metrics[m]}</td>' for m in METRIC_NAMES)
    return (
        f'<tr data-kind="{kind}"><th scope="row">{e(bot.who)}</th><td>{e(bot.source_words)}</td>'
        f"<td>{'yes' if bot.on_roster else 'no'}</td>{metrics}</tr>"
    )


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
        f"{table('bots-table', caption, BOT_HEADERS, (bot_row(b) for b in items))}</section>"
    )
