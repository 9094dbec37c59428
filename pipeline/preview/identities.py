"""The MR report's sections on unmatched emails a team could claim, and on bots (not counted)."""

from __future__ import annotations

import pyarrow as pa

from pipeline import metrics
from pipeline.preview.markdown import md, md_link
from pipeline.roster.identities import Bot, UnmatchedEmail, bots, unmatched_emails

CLAIMS_LIMIT = 10
PLACES_LIMIT = 3
ARTIFACT = "data/marts/unmatched_authors.parquet"


def _places(item: UnmatchedEmail) -> str:
    shown = [f"{md_link(p.path, p.web_url)} ({p.commits})" for p in item.places[:PLACES_LIMIT]]
    more = item.projects - len(shown)
    return "<br>".join(shown + ([f"and {more} more"] if more > 0 else [])) or "—"


def _claim(item: UnmatchedEmail) -> str:
    if item.problem:
        return md(item.problem)
    if item.claim_line is None:
        return "full address in the scheduled pipeline's artifacts"
    return md(item.claim_line)


def _claim_row(item: UnmatchedEmail) -> str:
    last = item.last_seen.strftime("%Y-%m-%d") if item.last_seen else "—"
    cells = [md(item.email), md(item.name or ""), str(item.commits), _places(item), last]
    return f"| {' | '.join([*cells, _claim(item)])} |"


def claims_section(marts: dict[str, pa.Table], publish_emails: bool) -> list[str]:
    """The unmatched emails with most commits under this roster, and the teams.csv line to add."""
    items = unmatched_emails(marts, publish_emails)
    head = ["### Unmatched emails you could claim", ""]
    if not items:
        return [*head, "Every counted commit email matches someone (or is a bot's).", ""]
    masked = (
        ""
        if publish_emails
        else f" Emails are masked (as on the Pages site); the full list is `{ARTIFACT}` in the "
        "scheduled pipeline's artifacts."
    )
    intro = (
        "Commit emails of the last 365 days that match no one with this teams.csv (bots left "
        "out). Add one to the `emails` of one of that person's rows (after a `;`) to count its "
        "commits for them; the teams.csv line is for someone not on the roster yet, in the "
        f"header order `team,username,emails`.{masked}"
    )
    table = [
        "| email | name on the commits | commits it would add | where it appears (commits) "
        "| last seen | teams.csv line |",
        "| --- | --- | --- | --- | --- | --- |",
        *(_claim_row(item) for item in items[:CLAIMS_LIMIT]),
    ]
    more = len(items) - CLAIMS_LIMIT
    tail = ["", f"{more} more not shown."] if more > 0 else []
    return [*head, intro, "", *table, *tail, ""]


def _bot_row(bot: Bot) -> str:
    cells = [md(bot.who), bot.source_words, "yes" if bot.on_roster else "no"]
    return f"| {' | '.join(cells + [str(bot.metrics[m]) for m in metrics.BOT_NAMES])} |"


def bots_section(marts: dict[str, pa.Table], publish_emails: bool) -> list[str]:
    """Bots from GitLab's flag and bots.txt, with what they did; none of it counts."""
    found = bots(marts, publish_emails)
    head = ["### Bots (not counted)", ""]
    if not found:
        return [*head, "No bots: none on the roster and nothing listed in bots.txt.", ""]
    header = " | ".join(m.words for m in metrics.METRICS if m.bots)
    return [
        *head,
        "Left out of every count and of the unmatched emails; a bot on the roster is dropped "
        "from it.",
        "",
        f"| bot | recognised by | in teams.csv | {header} |",
        "|---" * (3 + len(metrics.BOT_NAMES)) + "|",
        *(_bot_row(b) for b in found),
        "",
    ]
