"""A synthetic board of 500 people in 50 teams, with one prolific person whose items need several
files: marts consistent with their items, for the size and split tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline import metrics
from pipeline.schema import WINDOWS
from tests.site.data import AS_OF, WEIGHTS, counted, dense_ranks

PEOPLE = 500
TEAM_SIZE = 10
#: Team 00's user0007 did 15,000 things in a year: about 1.7 MB of items, split into files.
PROLIFIC = ("Team 00", "user0007")
PROLIFIC_ITEMS = 15_000
ITEMS_EACH = 60
PROJECTS = 1000
#: (kind, its share, the path under the project's page)
KINDS = [
    ("commit", 40, "-/commit/{sha}"),
    ("mr_opened", 10, "-/merge_requests/{iid}"),
    ("mr_merged", 10, "-/merge_requests/{iid}"),
    ("issue_opened", 10, "-/issues/{iid}"),
    ("issue_closed", 8, "-/issues/{iid}"),
    ("mr_approved", 10, "-/merge_requests/{iid}"),
    ("review_comment", 12, "-/merge_requests/{iid}#note_{note}"),
]
WORDS = ["fix", "add", "update", "remove", "refactor", "pipeline", "cache", "runner", "query",
         "index", "flaky", "spec", "docs"]  # fmt: skip


def team_of(n: int) -> str:
    return f"Team {n // TEAM_SIZE:02d}"


def projects() -> list[dict[str, Any]]:
    return [
        {"project_id": pid, "path_with_namespace": f"gitlab-org/group-{pid % 20}/project-{pid}",
         "web_url": f"https://gitlab.example.com/gitlab-org/group-{pid % 20}/project-{pid}"}
        for pid in range(1, PROJECTS + 1)
    ]  # fmt: skip


def contributions() -> list[dict[str, Any]]:
    """Every person's items over the 365 days before AS_OF, GitLab's times (some with
    milliseconds), titles of a few words, each on its project's page."""
    rng = random.Random(22)
    urls = {p["project_id"]: p["web_url"] for p in projects()}
    kinds = [k for k, share, _ in KINDS for _ in range(share)]
    paths = {k: path for k, _, path in KINDS}
    rows = []
    for n in range(PEOPLE):
        team, user = team_of(n), f"user{n:04d}"
        for i in range(PROLIFIC_ITEMS if (team, user) == PROLIFIC else ITEMS_EACH):
            kind = rng.choice(kinds)
            pid = rng.randrange(1, PROJECTS + 1)
            sha = hashlib.sha1(f"{user}-{i}".encode()).hexdigest()
            iid, note = rng.randrange(1, 40_000), rng.randrange(1, 10**7)
            item_id = sha if kind == "commit" else str(rng.randrange(10**5, 10**7))
            at = AS_OF - dt.timedelta(seconds=rng.randrange(1, 365 * 86400))
            if i % 3 == 0:
                at -= dt.timedelta(microseconds=rng.randrange(1, 1000) * 1000)
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 9))).capitalize()
            url = f"{urls[pid]}/{paths[kind].format(sha=sha, iid=iid, note=note)}"
            rows.append(
                {"team": team, "username": user, "kind": kind, "item_id": item_id,
                 "project_id": pid, "title": title, "web_url": url, "at": at}
            )  # fmt: skip
    return rows


def boards(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """leaderboard_users and leaderboard_teams counted from the items (no previous period)."""
    users, teams = [], []
    for window, days in WINDOWS.items():
        start = AS_OF - dt.timedelta(days=days)
        mine: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for c in items:
            if start <= c["at"] < AS_OF:
                mine[(c["team"], c["username"])].append(c)
        rows = []
        for n in range(PEOPLE):
            team, user = team_of(n), f"user{n:04d}"
            counts = counted(mine[(team, user)])
            score = sum(WEIGHTS[m] * v for m, v in counts.items())
            rows.append({"window": window, "team": team, "username": user, **counts,
                         "score": score, "prev_rank": None})  # fmt: skip
        for row, rank in zip(rows, dense_ranks([r["score"] for r in rows]), strict=True):
            row["rank"] = rank
        users += sorted(rows, key=lambda r: (r["rank"], r["team"], r["username"]))
        sums: dict[str, dict[str, Any]] = {}
        for r in rows:
            t = sums.setdefault(
                r["team"],
                {"window": window, "team": r["team"], "members": 0, "score": 0,
                 "prev_rank": None, **dict.fromkeys(metrics.NAMES, 0)},
            )  # fmt: skip
            t["members"] += 1
            for key in (*metrics.NAMES, "score"):
                t[key] += r[key]
        ranked = list(sums.values())
        for row, rank in zip(ranked, dense_ranks([r["score"] for r in ranked]), strict=True):
            row["rank"] = rank
        teams += sorted(ranked, key=lambda r: (r["rank"], r["team"]))
    return users, teams


def marts() -> dict[str, list[dict[str, Any]]]:
    items = contributions()
    users, teams = boards(items)
    monday = (AS_OF - dt.timedelta(days=AS_OF.weekday())).date()
    weekly = [
        {"week": monday - dt.timedelta(weeks=w), "team": team_of(n * TEAM_SIZE),
         **dict.fromkeys(metrics.NAMES, 0)}
        for w in range(25, -1, -1) for n in range(PEOPLE // TEAM_SIZE)
    ]  # fmt: skip
    return {
        "leaderboard_users": users,
        "leaderboard_listed_users": users,
        "leaderboard_teams": teams,
        "contributions": items,
        "member_emails": [],
        "unmatched_authors": [],
        "weekly_team_activity": weekly,
        "unmatched_projects": [],
        "bot_activity": [],
        "people_listed": [
            {"username": u, "listed": True} for u in sorted({r["username"] for r in users})
        ],
        "projects": projects(),
    }


def data_script(path: Path, variable: str) -> Any:
    """The JSON a data script assigns (`window.X = {...};` or `(...)['name'] = {...};`)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(" = {") + 3
    assert text.endswith(";\n") and variable in text[:start], path
    return json.loads(text[start:-2])
