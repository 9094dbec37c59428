"""Renders the teams.csv preview as Markdown: roster changes, team standings, emails, names."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pipeline import metrics
from pipeline.preview.identities import bots_section, claims_section
from pipeline.preview.markdown import md
from pipeline.preview.model import Preview
from pipeline.roster.teams import Roster
from pipeline.schema import WINDOWS
from pipeline.times import display_utc

MARKER = "<!-- leaderboard-teams-preview -->"
#: The team table's columns and their headers: the metrics' labels come from the registry.
COLUMNS = ("members", *metrics.NAMES, "score", "rank")
HEADERS = ("members", *(m.words for m in metrics.METRICS), "score", "rank")


def render_report(preview: Preview) -> str:
    """The whole report, starting with the hidden marker that finds the MR note again."""
    as_of = display_utc(preview.as_of)
    lines = [
        MARKER,
        "## Leaderboard preview of this teams.csv change",
        "",
        f"Computed offline over the last extraction (as of {as_of}"
        + (f", run `{md(preview.run_id)}`" if preview.run_id else "")
        + "); no request was made to GitLab.",
        "",
    ]
    if preview.before.note:
        lines += [f"Note: {md(preview.before.note)}; compared against an empty roster.", ""]
    if preview.people == "hide":
        lines += [TEAMS_ONLY, "", *_teams_section(preview), *_unmatched_count(preview)]
        return "\n".join(lines).rstrip() + "\n"
    hidden = preview.hidden
    lines += _roster_section(preview.before.roster, preview.after.roster, hidden)
    lines += _teams_section(preview)
    lines += _emails_section(preview, hidden)
    lines += _unresolved_section(preview, hidden)
    lines += claims_section(preview.after.build.marts, preview.publish_emails)
    lines += bots_section(preview.after.build.marts, preview.publish_emails)
    return "\n".join(lines).rstrip() + "\n"


#: What a teams-only report says instead of its people sections.
TEAMS_ONLY = (
    "People are not shown (`LEADERBOARD_PEOPLE=hide`): this report gives the change's effect on "
    "team totals and ranks only."
)


def _unmatched_count(preview: Preview) -> list[str]:
    """Teams only: how many commit emails match no one, never which."""
    count = preview.after.build.marts["unmatched_authors"].num_rows
    return [
        "### Unmatched commit emails",
        "",
        f"{count} commit email{'s' * (count != 1)} of the last 365 days match no one with this "
        "teams.csv (not named here; the extraction's artifacts list them for the project's "
        "developers).",
        "",
    ]


def _spans(roster: Roster) -> dict[str, list[str]]:
    spans: dict[str, list[str]] = defaultdict(list)
    for m in sorted(roster.memberships, key=lambda m: (m.joined or dt.date.min, m.team)):
        when = f"from {m.joined}" if m.joined else ""
        when += f" until {m.left}" if m.left else ""
        spans[m.username].append(f"{md(m.team)} ({when.strip()})" if when else md(m.team))
    return spans


def _roster_section(before: Roster, after: Roster, hidden: frozenset[str]) -> list[str]:
    old, new = _spans(before), _spans(after)
    rows = []
    for user in sorted((set(old) | set(new)) - hidden):
        was, now = old.get(user, []), new.get(user, [])
        kind = _change_kind(user, was, now, before, after)
        if kind:
            cells = [md(user), kind, "<br>".join(was) or "—", "<br>".join(now) or "—"]
            rows.append(f"| {' | '.join(cells)} |")
    head = ["### Who joins, leaves or moves", ""]
    unnamed = _not_listed(old, new, hidden, before, after)
    if not rows:
        return [*head, unnamed or "No membership changes.", ""]
    table = ["| person | change | before | after |", "| --- | --- | --- | --- |", *rows]
    return [*head, *table, *(["", unnamed] if unnamed else []), ""]


def _not_listed(
    old: dict[str, list[str]],
    new: dict[str, list[str]],
    hidden: frozenset[str],
    before: Roster,
    after: Roster,
) -> str:
    """The changes of people marked `listed=no`, counted, never named."""
    count = sum(
        1
        for user in hidden
        if _change_kind(user, old.get(user, []), new.get(user, []), before, after)
    )
    return f"And {count} change{'s' * (count != 1)} of people not listed." if count else ""


def _change_kind(user: str, was: list[str], now: list[str], before: Roster, after: Roster) -> str:
    """joins, leaves, moves (other teams), dates (same teams), plus teams.csv email edits."""
    if not was or not now:
        return "joins" if not was else "leaves"
    teams = {m.team for m in before.memberships if m.username == user} != {
        m.team for m in after.memberships if m.username == user
    }
    kinds = ["moves" if teams else "dates change"] if was != now else []
    old, new = before.emails.get(user, ()), after.emails.get(user, ())
    edits = [f"+{md(e)}" for e in new if e not in old] + [f"−{md(e)}" for e in old if e not in new]
    if edits:
        kinds.append("emails " + " ".join(edits))
    return "; ".join(kinds)


def _by_team(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["window"], r["team"]): r for r in rows}


def _change(before: int | None, after: int | None, delta: bool = True) -> str:
    if before == after:
        return str(after)
    if before is None or after is None:
        return f"{'—' if before is None else before} → {'—' if after is None else after}"
    return f"{before} → {after}" + (f" ({after - before:+d})" if delta else "")


def _teams_section(preview: Preview) -> list[str]:
    old = _by_team(preview.before.build.marts["leaderboard_teams"].to_pylist())
    new = _by_team(preview.after.build.marts["leaderboard_teams"].to_pylist())
    lines = ["### Team totals and ranks, before → after", ""]
    header = " | ".join(HEADERS)
    for window in WINDOWS:
        keys = [k for k in (*new, *old) if k[0] == window]
        order = sorted(
            set(keys), key=lambda k: (k not in new, (new.get(k) or old[k])["rank"], k[1])
        )
        lines += [f"**{window}**", "", f"| team | {header} |", "|---" * (len(COLUMNS) + 1) + "|"]
        for key in order:
            b, a = old.get(key, {}), new.get(key, {})
            cells = [_change(b.get(c), a.get(c), delta=c != "rank") for c in COLUMNS]
            changed = any("→" in c for c in cells)
            team = f"**{md(key[1])}**" if changed else md(key[1])
            lines.append(f"| {team} | {' | '.join(cells)} |")
        if not keys:
            lines.append("| (no team has members in this window) |" + " |" * len(COLUMNS))
        lines.append("")
    return lines


def _emails_section(preview: Preview, hidden: frozenset[str]) -> list[str]:
    """Emails gained or lost by a member, where that moves commits or was written in teams.csv."""
    before, after = preview.before.build.marts, preview.after.build.marts
    old = {(r["username"], r["email"]): r["source"] for r in before["member_emails"].to_pylist()}
    new = {(r["username"], r["email"]): r["source"] for r in after["member_emails"].to_pylist()}
    owner_before = {email: user for user, email in old}
    unmatched_before = {r["author_email"]: r for r in before["unmatched_authors"].to_pylist()}
    unmatched_after = {r["author_email"]: r for r in after["unmatched_authors"].to_pylist()}
    rows = []
    for (user, email), source in sorted(new.items(), key=lambda p: (p[0][1], p[0][0])):
        if (user, email) in old or user in hidden or owner_before.get(email) in hidden:
            continue
        if email in unmatched_before:
            effect = f"+{unmatched_before[email]['commits']} commits (were unmatched)"
        elif email in owner_before:
            moved = len(_commits_of(before, owner_before[email]) & _commits_of(after, user))
            effect = f"{moved} commits move from {md(owner_before[email])}"
        elif source == "teams_csv":
            effect = "no commits in the 365-day horizon"
        else:
            continue  # an automatic address of a new member that matches nothing
        rows.append(f"| {md(email)} | now matches {md(user)} | {effect} |")
    for user, email in sorted(set(old) - set(new), key=lambda p: (p[1], p[0])):
        if user in hidden:
            continue
        lost = unmatched_after.get(email)
        if lost is None and old[(user, email)] != "teams_csv":
            continue
        effect = f"−{lost['commits']} commits (now unmatched)" if lost else "no unmatched commits"
        rows.append(f"| {md(email)} | no longer matches {md(user)} | {effect} |")
    head = ["### Commit emails that now match (or stop matching)", ""]
    if not rows:
        return [*head, "No commit email changes owner.", ""]
    return [*head, "| email | change | commits (365 days) |", "| --- | --- | --- |", *rows, ""]


def _commits_of(marts: dict[str, Any], user: str) -> set[str]:
    rows = marts["contributions"].to_pylist()
    return {r["item_id"] for r in rows if r["kind"] == "commit" and r["username"] == user}


def _unresolved_section(preview: Preview, hidden: frozenset[str]) -> list[str]:
    was = set(preview.before.roster.usernames)
    names = [n for n in preview.after.build.unknown_usernames if n not in hidden]
    lines = ["### Roster names not resolved offline", ""]
    if names:
        lines += [
            "No GitLab user record for these names in the last extraction, so only their "
            "teams.csv emails match commits here; the next scheduled extraction looks them up "
            "(a misspelt name stays unresolved).",
            "",
            *(f"- {md(n)}{'' if n in was else ' (new in this change)'}" for n in names),
        ]
    else:
        lines.append("Every roster name has a GitLab user record in the raw data.")
    return [*lines, ""]
