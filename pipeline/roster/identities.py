"""Unmatched commit emails (with where they appear and how to claim them) and bots, for people."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from pipeline import metrics
from pipeline.privacy import mask_email
from pipeline.roster.fields import email_problem

SOURCE_WORDS = {"gitlab_bot_flag": "GitLab bot flag", "bots_txt": "bots.txt"}
# Columns of teams.csv in the order the claim line is written; the header may order them otherwise.
CLAIM_HEADER = "team,username,emails"
INVALID = "not a valid teams.csv email (local@domain without spaces), so it cannot be claimed"


@dataclass(frozen=True)
class Place:
    """A project whose default branch holds some of an unmatched email's counted commits."""

    path: str
    web_url: str | None
    commits: int


@dataclass(frozen=True)
class UnmatchedEmail:
    """One unmatched commit email as shown to people; `email` is masked unless allowed."""

    email: str
    name: str | None
    commits: int
    projects: int
    places: tuple[Place, ...]
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    claim_line: str | None  # the teams.csv line to add, only when the full address is shown
    problem: str | None  # why teams.csv could not hold this address, if it could not


@dataclass(frozen=True)
class Bot:
    """A bot username or bots.txt email, never counted, with what it did in the 365-day horizon."""

    who: str
    is_email: bool
    source: str
    on_roster: bool
    metrics: dict[str, int]

    @property
    def source_words(self) -> str:
        return SOURCE_WORDS.get(self.source, self.source)


def claim_line(email: str) -> str:
    """The teams.csv row that gives a (placeholder) member this email."""
    return f"TEAM,USERNAME,{email}"


def unmatched_emails(marts: dict[str, pa.Table], show_emails: bool) -> list[UnmatchedEmail]:
    """unmatched_authors joined with unmatched_projects on the full address, then masked."""
    places: dict[str, list[Place]] = defaultdict(list)
    for row in marts["unmatched_projects"].to_pylist():
        place = Place(str(row["path_with_namespace"] or row["project_id"]), row["web_url"],
                      int(row["commits"] or 0))  # fmt: skip
        places[row["author_email"]].append(place)
    rows = sorted(
        marts["unmatched_authors"].to_pylist(),
        key=lambda r: (-(r["commits"] or 0), r["author_email"] or ""),
    )
    return [_unmatched(row, places.get(row["author_email"], []), show_emails) for row in rows]


def _unmatched(row: dict[str, Any], places: list[Place], show_emails: bool) -> UnmatchedEmail:
    email = str(row["author_email"] or "")
    # Never the value itself: the message may be shown where the address is masked.
    problem = None if email and email_problem(email) is None else INVALID
    ordered = sorted(places, key=lambda p: (-p.commits, p.path))
    return UnmatchedEmail(
        email=email if show_emails else str(mask_email(email)),
        name=row["author_name"],
        commits=int(row["commits"] or 0),
        projects=int(row["projects"] or 0),
        places=tuple(ordered),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        claim_line=claim_line(email) if show_emails and problem is None else None,
        problem=problem,
    )


def bots(marts: dict[str, pa.Table], show_emails: bool) -> list[Bot]:
    """bot_activity rows, most active first; emails masked unless allowed."""
    out = []
    for row in marts["bot_activity"].to_pylist():
        is_email = row["username"] is None
        who = str(row["email"] if is_email else row["username"])
        out.append(
            Bot(
                who=who if show_emails or not is_email else str(mask_email(who)),
                is_email=is_email,
                source=str(row["source"]),
                on_roster=bool(row["on_roster"]),
                metrics={m: int(row[m] or 0) for m in metrics.BOT_NAMES},
            )
        )
    return sorted(out, key=lambda b: (-sum(b.metrics.values()), b.is_email, b.who))
