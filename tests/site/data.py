"""Small marts with hostile strings, written with pyarrow, for the publish and site tests."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import metrics
from pipeline.schema import MARTS, RAW, WINDOWS

AS_OF = dt.datetime(2026, 8, 23, 0, 0, tzinfo=dt.UTC)
FINISHED_AT = "2026-08-23T00:00:04Z"

# Each payload would set window.__pwned (or show a dialog) if it ever ran.
T_SCRIPT = "<script>window.__pwned=1</script>"
T_IMG = '"><img src=x onerror="window.__pwned=2;alert(2)">'
T_FORMULA = '=HYPERLINK("http://evil.example","x")'
TITLE_CLOSE = "</script><script>window.__pwned=3;alert(3)</script>"
HOSTILE = [
    T_SCRIPT,
    T_IMG,
    T_FORMULA,
    TITLE_CLOSE,
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "\tTabbed",
    "\rCarriage",
    "line\u2028sep\u2029para",
    "<svg onload=window.__pwned=4>",
]
JS_URL = "javascript:window.__pwned=5"
WEIGHTS = metrics.weights()


def cells(**counts: int) -> list[str]:
    """A board row's metric cells in BOARD_METRICS' order: the counts named, 0 for the others
    (so a metric added to the registry needs no change here)."""
    assert set(counts) <= set(WEIGHTS), counts
    return [str(counts.get(m, 0)) for m in BOARD_METRICS]


#: The board's metric columns: those that add to the score first, then those weighted 0.
BOARD_METRICS = [m for m in WEIGHTS if WEIGHTS[m]] + [m for m in WEIGHTS if not WEIGHTS[m]]
KIND_METRIC = {
    "commit": "commits",
    "mr_opened": "mrs_opened",
    "mr_merged": "mrs_merged",
    "issue_opened": "issues_opened",
    "issue_closed": "issues_closed",
}

# (team, username): every membership, all covering two years but frank's move to Platform.
MEMBERS = [
    ("Platform", "alice"),
    ("Platform", "erin"),
    (T_SCRIPT, "bob"),
    (T_IMG, "carol"),
    (T_FORMULA, "dave"),
    (T_SCRIPT, "frank"),
    ("Platform", "frank"),
]
# frank joined Platform 26 days before as_of: "new" on the 30-day board and longer ones
JOINED = {("Platform", "frank"): AS_OF - dt.timedelta(days=26)}

# (team, username, kind, days before as_of, title)
ITEMS = [
    ("Platform", "alice", "commit", 1, "Fix <b>bold</b> & more"),
    ("Platform", "alice", "mr_merged", 3, T_SCRIPT),
    ("Platform", "alice", "issue_closed", 20, "+SUM(1,2)"),
    ("Platform", "alice", "commit", 100, "old commit"),
    ("Platform", "erin", "mr_opened", 2, "-2+3"),
    ("Platform", "erin", "issue_opened", 5, "@cmd"),
    ("Platform", "erin", "commit", 6, "\tTabbed"),
    (T_SCRIPT, "bob", "mr_merged", 4, TITLE_CLOSE),
    (T_SCRIPT, "bob", "commit", 40, "line\u2028sep\u2029para"),
    (T_IMG, "carol", "issue_closed", 2, T_IMG),
    (T_IMG, "carol", "commit", 3, "\rCarriage"),
    (T_FORMULA, "dave", "commit", 10, T_FORMULA),
    (T_FORMULA, "dave", "mr_opened", 200, "<svg onload=window.__pwned=4>"),
    (T_SCRIPT, "frank", "commit", 300, "moved away later"),
    ("Platform", "frank", "mr_merged", 25, "after the move"),
]
# Review credit: (team, username, kind, days before as_of, title, MR id); erin comments twice
# on MR 2001 and approves it, carol comments on MR 2002 (its web_url has a note anchor).
REVIEWS = [
    ("Platform", "erin", "mr_approved", 1, "Review <i>me</i>", 2001),
    ("Platform", "erin", "review_comment", 1, "Review <i>me</i>", 2001),
    ("Platform", "erin", "review_comment", 3, "Review <i>me</i>", 2001),
    (T_IMG, "carol", "review_comment", 12, T_SCRIPT, 2002),
]

# item index -> project: 13 has a hostile path, 99 is in no projects row (shown by its id)
ITEM_PROJECTS = {4: 13, 12: 99}


def contributions() -> list[dict[str, Any]]:
    rows = []
    for index, (team, user, kind, days, title) in enumerate(ITEMS):
        item_id = f"{index:040x}" if kind == "commit" else str(1000 + index)
        url = JS_URL if index == 1 else f"https://gitlab.example.com/acme/app/-/items/{item_id}"
        at = AS_OF - dt.timedelta(days=days, hours=1)
        rows.append(
            {"team": team, "username": user, "kind": kind, "item_id": item_id,
             "project_id": ITEM_PROJECTS.get(index, 12), "title": title, "web_url": url, "at": at}
        )  # fmt: skip
    for index, (team, user, kind, days, title, mr_id) in enumerate(REVIEWS):
        url = f"https://gitlab.example.com/acme/app/-/merge_requests/{mr_id % 100}"
        url += f"#note_{500 + index}" if kind == "review_comment" else ""
        at = AS_OF - dt.timedelta(days=days, hours=2)
        rows.append(
            {"team": team, "username": user, "kind": kind, "item_id": str(mr_id),
             "project_id": 12, "title": title, "web_url": url, "at": at}
        )  # fmt: skip
    return rows


def counted(contribs: list[dict[str, Any]]) -> dict[str, int]:
    """The metrics of some contributions: one each, distinct MRs for approvals and reviews."""
    counts = Counter(KIND_METRIC[c["kind"]] for c in contribs if c["kind"] in KIND_METRIC)
    counts["review_comments"] = sum(c["kind"] == "review_comment" for c in contribs)
    for metric, kinds in (
        ("mrs_approved", {"mr_approved"}),
        ("mrs_reviewed", {"mr_approved", "review_comment"}),
    ):
        counts[metric] = len(
            {(c["username"], c["item_id"]) for c in contribs if c["kind"] in kinds}
        )
    return {m: counts[m] for m in metrics.NAMES}  # fmt: skip


def dense_ranks(scores: list[int]) -> list[int]:
    order = sorted(set(scores), reverse=True)
    return [order.index(score) + 1 for score in scores]


def _ranked_period(
    contribs: list[dict[str, Any]], start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """Each membership present in [start, end) with its counts, score and dense rank."""
    mine: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for c in contribs:
        if start <= c["at"] < end:
            mine[(c["team"], c["username"])].append(c)
    rows = []
    for team, user in MEMBERS:
        if JOINED.get((team, user), start) >= end:
            continue
        metrics = counted(mine[(team, user)])
        score = sum(WEIGHTS[m] * v for m, v in metrics.items())
        rows.append({"team": team, "username": user, **metrics, "score": score})
    for row, rank in zip(rows, dense_ranks([r["score"] for r in rows]), strict=True):
        row["rank"] = rank
    return rows


def users_rows(contribs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """leaderboard_users computed independently from the contributions above."""
    out = []
    for window, days in WINDOWS.items():
        n = dt.timedelta(days=days)
        before = {
            (r["team"], r["username"]): r["rank"]
            for r in _ranked_period(contribs, AS_OF - 2 * n, AS_OF - n)
        }
        rows = [
            {"window": window, **r, "prev_rank": before.get((r["team"], r["username"]))}
            for r in _ranked_period(contribs, AS_OF - n, AS_OF)
        ]
        out += sorted(rows, key=lambda r: (r["rank"], r["team"], r["username"]))
    return out


def _team_board(users: list[dict[str, Any]], window: str) -> list[dict[str, Any]]:
    teams: dict[str, dict[str, Any]] = {}
    for u in users:
        empty = {"window": window, "team": u["team"], "members": 0, "score": 0}
        t = teams.setdefault(u["team"], empty | dict.fromkeys(metrics.NAMES, 0))
        t["members"] += 1
        for key in (*metrics.NAMES, "score"):
            t[key] += u[key]
    rows = list(teams.values())
    for row, rank in zip(rows, dense_ranks([r["score"] for r in rows]), strict=True):
        row["rank"] = rank
    return rows


def teams_rows(users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    contribs = contributions()
    for window, days in WINDOWS.items():
        n = dt.timedelta(days=days)
        earlier = _team_board(_ranked_period(contribs, AS_OF - 2 * n, AS_OF - n), window)
        before = {t["team"]: t["rank"] for t in earlier}
        rows = _team_board([u for u in users if u["window"] == window], window)
        for row in rows:
            row["prev_rank"] = before.get(row["team"])
        out += sorted(rows, key=lambda r: (r["rank"], r["team"]))
    return out


def weekly_rows(contribs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    last_monday = (AS_OF - dt.timedelta(microseconds=1)).date()
    last_monday -= dt.timedelta(days=last_monday.weekday())
    weeks = [last_monday - dt.timedelta(weeks=25 - i) for i in range(26)]
    teams = sorted({team for team, _ in MEMBERS})
    weekly: dict[tuple[dt.date, str], list[dict[str, Any]]] = defaultdict(list)
    for c in contribs:
        day = c["at"].date()
        weekly[(day - dt.timedelta(days=day.weekday()), c["team"])].append(c)
    return [
        {"week": week, "team": team, **counted(weekly[(week, team)])}
        for week in weeks
        for team in teams
    ]


def member_emails() -> list[dict[str, Any]]:
    return [
        {"username": "alice", "email": "alice@example.org", "source": "teams_csv"},
        {"username": "bob", "email": "bob.smith@corp.example", "source": "public_email"},
        {"username": "carol", "email": "42-carol@users.noreply.gitlab.example.com",
         "source": "noreply"},
    ]  # fmt: skip


def unmatched_authors() -> list[dict[str, Any]]:
    return [
        {"author_email": "zed@laptop", "author_name": T_IMG, "commits": 3, "projects": 1,
         "first_seen": AS_OF - dt.timedelta(days=50), "last_seen": AS_OF - dt.timedelta(days=2)},
        {"author_email": "=cmd@evil.example", "author_name": "@SUM(A1)", "commits": 1,
         "projects": 2, "first_seen": AS_OF - dt.timedelta(days=9),
         "last_seen": AS_OF - dt.timedelta(days=9)},
        {"author_email": "zoe@laptop", "author_name": "Zoe", "commits": 1, "projects": 1,
         "first_seen": AS_OF - dt.timedelta(days=3), "last_seen": AS_OF - dt.timedelta(days=3)},
    ]  # fmt: skip


def unmatched_projects() -> list[dict[str, Any]]:
    return [
        {"author_email": "zed@laptop", "project_id": 12, "path_with_namespace": "acme/<b>app</b>",
         "web_url": JS_URL, "commits": 3},
        {"author_email": "=cmd@evil.example", "project_id": 12, "path_with_namespace": "acme/app",
         "web_url": "https://gitlab.example.com/acme/app", "commits": 1},
        {"author_email": "=cmd@evil.example", "project_id": 13, "path_with_namespace": "acme/fork",
         "web_url": "https://gitlab.example.com/acme/fork", "commits": 1},
        # masks like zed@laptop: the page must still keep the two apart
        {"author_email": "zoe@laptop", "project_id": 13, "path_with_namespace": "acme/fork",
         "web_url": "https://gitlab.example.com/acme/fork", "commits": 1},
    ]  # fmt: skip


def bot_activity() -> list[dict[str, Any]]:
    zeros = dict.fromkeys(metrics.BOT_NAMES, 0)
    return [
        {"username": "renovate", "email": None, "source": "gitlab_bot_flag", "on_roster": True,
         **zeros, "commits": 4, "mrs_opened": 2, "mrs_merged": 1},
        {"username": T_SCRIPT, "email": None, "source": "bots_txt", "on_roster": False, **zeros},
        {"username": None, "email": "ci@bots.example", "source": "bots_txt", "on_roster": False,
         **zeros, "commits": 7},
    ]  # fmt: skip


def marts() -> dict[str, list[dict[str, Any]]]:
    contribs = contributions()
    users = users_rows(contribs)
    return {
        "leaderboard_users": users,
        # everyone listed: the listed board is the whole board
        "leaderboard_listed_users": users,
        "leaderboard_teams": teams_rows(users),
        "contributions": contribs,
        "member_emails": member_emails(),
        "unmatched_authors": unmatched_authors(),
        "weekly_team_activity": weekly_rows(contribs),
        "unmatched_projects": unmatched_projects(),
        "bot_activity": bot_activity(),
        "people_listed": [{"username": u, "listed": True} for u in sorted({u for _, u in MEMBERS})],
        "projects": projects(),
    }


def projects() -> list[dict[str, Any]]:
    """Project 12 holds most items; 13 has a hostile path and a javascript: URL; 14 is listed."""
    return [
        {"project_id": 12, "path_with_namespace": "acme/app",
         "web_url": "https://gitlab.example.com/acme/app"},
        {"project_id": 13, "path_with_namespace": "acme/<b>fork</b>", "web_url": JS_URL},
        {"project_id": 14, "path_with_namespace": "acme/lib",
         "web_url": "https://gitlab.example.com/acme/lib"},
    ]  # fmt: skip


def manifest() -> dict[str, Any]:
    return {
        "run_id": "2026-08-23T00:00:04Z-1a2b", "status": "complete", "mode": "incremental",
        "started_at": "2026-08-23T00:00:00Z", "finished_at": FINISHED_AT,
        "as_of": "2026-08-23T00:00:04Z", "gitlab_url": "https://gitlab.example.com",
        "gitlab_version": "18.5.0", "scope": {"groups": ["acme"], "projects": []},
        "requests": {"total": 41, "retried": 3, "rate_limit_waits": 1, "seconds_waiting": 4.2},
        "listings": [
            {"what": "commits", "project": "acme/<b>app</b>", "pages": 3, "rows": 212,
             "x_total": None, "check": "end-of-list", "retries": 1},
            {"what": "merge_requests", "group": "acme", "pages": 2, "rows": 150,
             "x_total": 150, "check": "x-total", "retries": 0},
            {"what": "commits", "project": "acme/lib", "pages": 1, "rows": 4,
             "x_total": None, "check": "range", "retries": 0},
        ],
    }  # fmt: skip


def write_data_dir(
    data_dir: Path, mart_rows: dict[str, list[dict[str, Any]]] | None = None
) -> Path:
    """data/marts/*.parquet, data/marts/build.json and data/manifest.json."""
    marts_dir = data_dir / "marts"
    marts_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (mart_rows or marts()).items():
        pq.write_table(
            pa.Table.from_pylist(rows, schema=MARTS[name]), marts_dir / f"{name}.parquet"
        )
    build = {"as_of": "2026-08-23T00:00:00Z", "score_weights": WEIGHTS, "inputs": {}}
    (marts_dir / "build.json").write_text(json.dumps(build), encoding="utf-8")
    (data_dir / "manifest.json").write_text(json.dumps(manifest()), encoding="utf-8")
    return data_dir


def write_raw(data_dir: Path) -> None:
    """One raw commits file and a users file, with emails to mask."""
    folder = data_dir / "raw" / "commits" / "p12"
    folder.mkdir(parents=True, exist_ok=True)
    commit = {"project_id": 12, "id": "a" * 40, "title": T_SCRIPT, "author_name": "Zed",
              "author_email": "zed@laptop", "parent_count": 1, "authored_date": AS_OF}  # fmt: skip
    pq.write_table(pa.Table.from_pylist([commit], schema=RAW["commits"]), folder / "r1.parquet")
    users = data_dir / "raw" / "users"
    users.mkdir(parents=True, exist_ok=True)
    user = {"id": 7, "username": "alice", "public_email": "alice@example.org", "bot": False}
    pq.write_table(pa.Table.from_pylist([user], schema=RAW["users"]), users / "users.parquet")
