"""Sample rosters: the demo's teams.csv (move date relative to `now`) and the bench roster."""

from __future__ import annotations

import csv
import datetime as dt
import io
from importlib import resources

from pipeline.sim.org.accounts import LEFT_DAYS_AGO
from pipeline.sim.org.model import Dataset

MOVE_DAYS_AGO = 12

# team, username, emails, joined, left; "MOVE" becomes the move date, "LEFT" the leaver's date.
_DEMO_ROWS = [
    ("Platform", "alice", "Alice@Acme.Example;alice@laptop", "", ""),
    ("Platform", "bob", "Bob.OBrien@Acme.Example; bob@laptop ;", "", ""),
    ("Apps, Web & Mobile", "chloe", "", "", ""),
    ("Apps, Web & Mobile", "OKhan", "omar.khan@ACME.example", "", ""),
    ("Platform", "dmitri", "", "", ""),
    ("Apps, Web & Mobile", "erin", "erin@acme.example", "", ""),
    ("Data", "farid", "", "", ""),
    ("Data", "grace", "grace@acme.example", "", ""),
    ("Data", "hiro", "hiro@acme.example", "", ""),
    ("Platform", "ines", "", "", ""),
    ("Data", "jules", "", "", ""),
    ("Apps, Web & Mobile", "kim", "kim@acme.example", "", ""),
    ("Data", "lena", "", "", ""),
    ("Apps, Web & Mobile", "nadia", "nadia@acme.example", "2024-01-01", "MOVE"),
    ("Platform", "nadia", "", "MOVE", ""),
    ("Platform", "ghost-user", "ghost@acme.example", "", ""),
    ("Platform", "renovate-bot", "", "", ""),
    ("Data", "rosa", "", "", "LEFT"),
    ("Platform", "sam", "", "", "LEFT"),
    ("Apps, Web & Mobile", "tara", "", "", ""),
]


def sample_teams_csv(now: dt.datetime) -> str:
    """The demo roster with nadia's team move MOVE_DAYS_AGO days before `now` (UTC) and the
    leavers' `left` dates (accounts.LEFT_DAYS_AGO)."""

    def day(days_ago: int) -> str:
        return (now.astimezone(dt.UTC) - dt.timedelta(days=days_ago)).date().isoformat()

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["team", "username", "emails", "joined", "left"])
    for row in _DEMO_ROWS:
        dates = {"MOVE": day(MOVE_DAYS_AGO), "LEFT": day(LEFT_DAYS_AGO.get(row[1], 0))}
        writer.writerow([dates.get(cell, cell) for cell in row])
    return out.getvalue()


def sample_bots_txt() -> str:
    """The shipped sample bots.txt."""
    return resources.files("pipeline.sim").joinpath("sample_bots.txt").read_text("utf-8")


def bench_roster_csv(dataset: Dataset, people: int = 500) -> str:
    """A roster of the first `people` non-bot users, ten to a team, with their commit emails."""
    users = sorted((u for u in dataset.users.values() if not u.bot), key=lambda u: u.id)[:people]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["team", "username", "emails", "joined", "left"])
    for n, user in enumerate(users):
        own = [e for e in user.commit_emails if dataset.noreply_domain not in e.lower()]
        writer.writerow([f"Team {n // 10:02d}", user.username, ";".join(own), "", ""])
    return out.getvalue()
