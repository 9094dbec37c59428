"""A plain-Python reading of the contract's leaderboard rules, written apart from the SQL.

Used only by tests: random raw data goes through both, and the rows must be equal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from pipeline import metrics
from pipeline.roster.teams import Bots, Membership, Roster
from pipeline.schema import WINDOWS

WEIGHTS = metrics.weights()
Raw = dict[str, list[dict[str, Any]]]


def norm(value: str | None) -> str:
    return (value or "").strip().lower()


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def noreply_id(email: str, noreply: str) -> int | None:
    """The user id of a private commit email `ID-anything@NOREPLY`, GitLab's way
    (lib/gitlab/private_commit_email.rb: the digits before the first dash, `to_i`)."""
    local, at, domain = email.rpartition("@")
    found = re.fullmatch(r"([0-9]+)-[^@]+", local)
    return int(found.group(1)) if at and domain == noreply and found else None


def _addresses(
    username: str, record: dict[str, Any] | None, noreply: str, seen: set[str]
) -> list[str]:
    if record is None:
        return []
    found = [f"{username}@{noreply}", f"{record['id']}-{username}@{noreply}"]
    found += sorted(e for e in seen if noreply_id(e, noreply) == record["id"])
    if norm(record.get("public_email")):
        found.append(norm(record["public_email"]))
    return found


def email_owners(raw: Raw, roster: Roster, bots: Bots, noreply: str) -> dict[str, set[str]]:
    users = {norm(u["username"]): u for u in raw["users"]}
    names = {m.username for m in roster.memberships}
    scope = {p["id"] for p in raw["projects"]}
    seen = {norm(c["author_email"]) for c in raw["commits"] if c["project_id"] in scope}
    bot_members = {u for u in names if u in bots.usernames or (users.get(u) or {}).get("bot")}
    bot_emails = set(bots.emails)
    for u in bot_members:
        own = _addresses(u, users.get(u), noreply, seen)
        bot_emails |= set(roster.emails.get(u, ())) | set(own)

    def is_bot(email: str) -> bool:
        local, _, domain = email.rpartition("@")
        stripped = re.sub(r"^[0-9]+-", "", local) if re.match(r"^[0-9]+-", local) else None
        noreply_bot = domain == noreply and (local in bots.usernames or stripped in bots.usernames)
        return email in bot_emails or noreply_bot

    claimed = {e: u for u, emails in roster.emails.items() for e in emails}
    owners: dict[str, set[str]] = defaultdict(set)
    for u in names - bot_members:
        for e in roster.emails.get(u, ()):
            owners[e].add(u)
        for e in _addresses(u, users.get(u), noreply, seen):
            if claimed.get(e, u) == u:
                owners[e].add(u)
    return {e: us for e, us in owners.items() if not is_bot(e)}


def items(raw: Raw, roster: Roster, bots: Bots, noreply: str) -> list[tuple[str, str, dt.datetime]]:
    """(username, metric, time) of every counted item, any time."""
    scope = {p["id"] for p in raw["projects"]}
    owners = email_owners(raw, roster, bots, noreply)
    found = []
    seen: set[str] = set()
    for c in raw["commits"]:
        if c["project_id"] not in scope or c["id"] in seen or c["parent_count"] > 1:
            continue
        seen.add(c["id"])
        for u in owners.get(norm(c["author_email"]), ()):
            found.append((u, "commits", c["authored_date"]))
    for table, fields in (
        (
            "merge_requests",
            (("author", "created_at", "mrs_opened"), ("author", "merged_at", "mrs_merged")),
        ),
        (
            "issues",
            (
                ("author", "created_at", "issues_opened"),
                ("closed_by", "closed_at", "issues_closed"),
            ),
        ),
    ):
        latest: dict[int, dict[str, Any]] = {}
        for row in raw[table]:
            key = (row["updated_at"], row["_extracted_at"])
            old = latest.get(row["id"])
            if old is None or key > (old["updated_at"], old["_extracted_at"]):
                latest[row["id"]] = row
        for row in latest.values():
            if row["project_id"] not in scope:
                continue
            for who, when, metric in fields:
                if row[who] and row[when]:
                    found.append((norm(row[who]["username"]), metric, row[when]))
    return found


def _covers(m: Membership, t: dt.datetime) -> bool:
    return (m.joined is None or midnight(m.joined) <= t) and (
        m.left is None or t < midnight(m.left)
    )


def _rank(rows: list[dict[str, Any]]) -> None:
    scores = sorted({r["score"] for r in rows}, reverse=True)
    for r in rows:
        r["rank"] = scores.index(r["score"]) + 1


def _period(
    live: list[Membership],
    work: list[tuple[str, str, dt.datetime]],
    start: dt.datetime,
    end: dt.datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """User rows (one per membership overlapping [start, end)) and team rows, each ranked."""
    counts: dict[Membership, dict[str, int]] = {}
    for m in live:
        if (m.joined is None or midnight(m.joined) < end) and (
            m.left is None or midnight(m.left) > start
        ):
            counts[m] = dict.fromkeys(metrics.NAMES, 0)
    for username, metric, t in work:
        if start <= t < end:
            for m in counts:
                if m.username == username and _covers(m, t):
                    counts[m][metric] += 1
    rows = [
        {
            "team": m.team,
            "username": m.username,
            "joined": m.joined or dt.date.min,
            **c,
            "score": sum(WEIGHTS[k] * c[k] for k in metrics.NAMES),
        }
        for m, c in counts.items()
    ]
    _rank(rows)
    rows.sort(key=lambda r: (r["rank"], r["team"], r["username"], r["joined"]))
    teams: dict[str, dict[str, Any]] = {}
    people: dict[str, set[str]] = {}
    for r in rows:
        t = teams.setdefault(
            r["team"],
            {"team": r["team"], "members": 0, "score": 0, **dict.fromkeys(metrics.NAMES, 0)},
        )
        people.setdefault(r["team"], set()).add(r["username"])
        t["members"] = len(people[r["team"]])
        for k in (*metrics.NAMES, "score"):
            t[k] += r[k]
    trows = list(teams.values())
    _rank(trows)
    trows.sort(key=lambda r: (r["rank"], r["team"]))
    return rows, trows


def leaderboards(
    raw: Raw, roster: Roster, bots: Bots, as_of: dt.datetime, noreply: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """leaderboard_users and leaderboard_teams rows, in the marts' order, prev_rank last.

    prev_rank: the same membership's (team's) rank over [as_of - 2N, as_of - N), else None.
    """
    users = {norm(u["username"]): u for u in raw["users"]}
    live = [
        m
        for m in roster.memberships
        if m.username not in bots.usernames and not (users.get(m.username) or {}).get("bot")
    ]
    work = items(raw, roster, bots, noreply)
    user_rows, team_rows = [], []
    for window, days in WINDOWS.items():
        n = dt.timedelta(days=days)
        rows, trows = _period(live, work, as_of - n, as_of)
        old_rows, old_trows = _period(live, work, as_of - 2 * n, as_of - n)
        was = {(r["team"], r["username"], r["joined"]): r["rank"] for r in old_rows}
        was_team = {t["team"]: t["rank"] for t in old_trows}
        user_rows += [
            (window, r["team"], r["username"], *(r[k] for k in metrics.NAMES), r["score"],
             r["rank"], was.get((r["team"], r["username"], r["joined"])))
            for r in rows
        ]  # fmt: skip
        team_rows += [
            (window, t["team"], t["members"], *(t[k] for k in metrics.NAMES), t["score"],
             t["rank"], was_team.get(t["team"]))
            for t in trows
        ]  # fmt: skip
    return user_rows, team_rows
