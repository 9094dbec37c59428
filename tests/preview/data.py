"""A tiny hand-built extraction (raw Parquet + manifest) for the preview tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import RAW

AS_OF = dt.datetime(2026, 8, 23, tzinfo=dt.UTC)
URL = "https://gitlab.example.com"
NOREPLY = "users.noreply.gitlab.example.com"


def ago(days: float) -> dt.datetime:
    return AS_OF - dt.timedelta(days=days)


def ref(user_id: int, username: str) -> dict[str, Any]:
    return {"id": user_id, "username": username, "state": "active"}


USERS = [
    (2, "alice", "alice@pub.example", False),
    (3, "bob", None, False),
    (4, "carol", None, False),
    (5, "dave", None, False),
    (9, "deploy-bot", None, True),
]
# sha, author email, days ago, parents
COMMITS = [
    ("a1", "alice@pub.example", 1, ["p"]),
    ("a2", "Alice@Pub.Example", 20, ["a1"]),
    ("b1", "bob@example.org", 3, ["a2"]),
    ("b2", "bob@example.org", 60, ["b1"]),
    ("c1", f"4-carol@{NOREPLY}", 5, ["b2"]),
    ("d1", "dave@laptop", 2, ["c1"]),
    ("d2", "dave@laptop", 100, ["d1"]),
    ("m1", "alice@pub.example", 1, ["d2", "x"]),  # a merge: never counts
    ("x1", "stranger@else.example", 4, ["m1"]),
    ("x2", "Stranger@Else.example", 8, ["x1"]),
    ("k1", f"9-deploy-bot@{NOREPLY}", 2, ["x2"]),  # a bot's: never counted, listed apart
    ("k2", "ci@bots.example", 3, ["k1"]),  # in bots.txt
    ("z1", "<b>@evil", 6, ["k2"]),  # no teams.csv email: nothing to claim with
]
# id, author, days ago created, days ago merged
MRS = [
    (101, (2, "alice"), 10, 9),
    (102, (3, "bob"), 40, 2),
    (103, (3, "bob"), 200, None),
    (104, (9, "deploy-bot"), 3, 1),
]
# id, author, days ago created, closer, days ago closed
ISSUES = [(201, (4, "carol"), 6, (3, "bob"), 1), (202, (5, "dave"), 30, None, None)]
# event id, author, days ago, MR id, note id (None: an approval)
EVENTS = [
    (301, (4, "carol"), 2, 102, None),
    (302, (4, "carol"), 2.5, 102, 9001),
    (303, (2, "alice"), 4, 102, 9002),
    (304, (3, "bob"), 3, 102, None),  # bob approving his own MR: no credit
]


def event(
    eid: int, author: tuple[int, str], days: float, mr: int, note: int | None, now: dt.datetime
) -> dict[str, Any]:
    """An approval, or (with a note id) a comment, on MR `mr` as the Events API returns it."""
    noteable = {"noteable_type": "MergeRequest", "noteable_id": mr}
    return {
        "id": eid, "project_id": 1, "action_name": "approved" if note is None else "commented on",
        "target_type": "MergeRequest" if note is None else "Note",
        "target_id": mr if note is None else note,
        "author_id": author[0], "author_username": author[1], "created_at": ago(days),
        "note": None if note is None else {"id": note, "system": False, **noteable},
        "_extracted_at": now,
    }  # fmt: skip


def write_raw(data_dir: Path) -> None:
    """data/raw for one project plus data/manifest.json as the extractor leaves them."""
    now = AS_OF
    raw = data_dir / "raw"
    tables: dict[str, list[dict[str, Any]]] = {
        "projects/projects": [
            {"id": 1, "path_with_namespace": "acme/app", "default_branch": "main",
             "forked_from_project_id": None, "web_url": f"{URL}/acme/app", "_extracted_at": now}
        ],
        "users/users": [
            {"id": i, "username": u, "public_email": e, "bot": b, "_extracted_at": now}
            for i, u, e, b in USERS
        ],
        "commits/p1/run": [
            {"project_id": 1, "id": sha, "title": f"commit {sha}",
             "author_name": email.split("@")[0], "author_email": email, "authored_date": ago(d),
             "parent_count": len(parents), "_extracted_at": now}
            for sha, email, d, parents in COMMITS
        ],
        "merge_requests/g1/run": [
            {"id": i, "iid": i - 100, "project_id": 1, "title": f"MR {i}",
             "created_at": ago(c), "updated_at": ago(0.5), "merged_at": ago(m) if m else None,
             "author": ref(*a),
             "merged_by": ref(*a) if m else None, "closed_by": None, "_extracted_at": now}
            for i, a, c, m in MRS
        ],
        "issues/g1/run": [
            {"id": i, "iid": i - 200, "project_id": 1, "title": f"issue {i}",
             "created_at": ago(c), "updated_at": ago(0.5), "closed_at": ago(cl) if cl else None,
             "author": ref(*a),
             "closed_by": ref(*by) if by else None, "_extracted_at": now}
            for i, a, c, by, cl in ISSUES
        ],
        "events/p1/approved/run": [event(*e, now) for e in EVENTS if e[4] is None],
        "events/p1/commented/run": [event(*e, now) for e in EVENTS if e[4] is not None],
    }  # fmt: skip
    for name, rows in tables.items():
        path = raw / f"{name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=RAW[name.split("/")[0]]), path)
    manifest = {
        "run_id": "2026-08-23T00:00:00Z-test",
        "status": "complete",
        "as_of": "2026-08-23T00:00:00Z",
        "finished_at": "2026-08-23T00:00:00Z",
        "gitlab_url": URL,
    }
    (data_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
