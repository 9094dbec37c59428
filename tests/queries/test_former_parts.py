"""Raw parts an older extraction wrote (every column the schema once kept) build the same marts.

Until issue 22 raw tables also stored web URLs, committer fields, `short_id`, `parent_ids`, MR
and issue `state`, user names and more. Incremental runs carry such parts over until the next
full run, and a build or preview may read a whole `data/` written before the upgrade: staging
SQL derives the URLs the parts still hold, and tells a merge commit by their `parent_ids`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import MARTS, TS
from tests.queries.seed import Raw, build, days_before, member, roster

#: what raw tables held before issue 22 (pipeline/schema.py at that time)
OLD_USER = pa.struct(
    [("id", pa.int64()), ("username", pa.string()), ("name", pa.string()), ("state", pa.string())]
)
# fmt: off
OLD_PERSON = pa.struct([("name", pa.string()), ("email", pa.string())])
OLD_NOTE = pa.struct(
    [("id", pa.int64()), ("type", pa.string()), ("system", pa.bool_()),
     ("noteable_type", pa.string()), ("noteable_id", pa.int64()), ("noteable_iid", pa.int64())]
)
OLD = {
    "projects": pa.schema(
        [("id", pa.int64()), ("path_with_namespace", pa.string()), ("name", pa.string()),
         ("default_branch", pa.string()), ("archived", pa.bool_()),
         ("forked_from_project_id", pa.int64()), ("web_url", pa.string()),
         ("_source", pa.string()), ("_extracted_at", TS)]
    ),
    "commits": pa.schema(
        [("project_id", pa.int64()), ("id", pa.string()), ("short_id", pa.string()),
         ("title", pa.string()), ("author_name", pa.string()), ("author_email", pa.string()),
         ("authored_date", TS), ("committer_name", pa.string()),
         ("committer_email", pa.string()), ("committed_date", TS),
         ("parent_ids", pa.list_(pa.string())), ("web_url", pa.string()),
         ("coauthors", pa.list_(OLD_PERSON)), ("coauthors_malformed", pa.int32()),
         ("_extracted_at", TS)]
    ),
    "merge_requests": pa.schema(
        [("id", pa.int64()), ("iid", pa.int64()), ("project_id", pa.int64()),
         ("title", pa.string()), ("state", pa.string()), ("created_at", TS),
         ("updated_at", TS), ("merged_at", TS), ("closed_at", TS), ("web_url", pa.string()),
         ("author", OLD_USER), ("merged_by", OLD_USER), ("closed_by", OLD_USER),
         ("_extracted_at", TS)]
    ),
    "issues": pa.schema(
        [("id", pa.int64()), ("iid", pa.int64()), ("project_id", pa.int64()),
         ("title", pa.string()), ("state", pa.string()), ("created_at", TS),
         ("updated_at", TS), ("closed_at", TS), ("web_url", pa.string()), ("author", OLD_USER),
         ("closed_by", OLD_USER), ("_extracted_at", TS)]
    ),
    "events": pa.schema(
        [("id", pa.int64()), ("project_id", pa.int64()), ("action_name", pa.string()),
         ("target_type", pa.string()), ("target_id", pa.int64()), ("target_iid", pa.int64()),
         ("author_id", pa.int64()), ("author_username", pa.string()), ("created_at", TS),
         ("note", OLD_NOTE), ("_extracted_at", TS)]
    ),
    "users": pa.schema(
        [("id", pa.int64()), ("username", pa.string()), ("name", pa.string()),
         ("state", pa.string()), ("public_email", pa.string()), ("bot", pa.bool_()),
         ("web_url", pa.string()), ("_extracted_at", TS)]
    ),
}
# fmt: on
WEB = "https://gitlab.example.com/acme/p1"


def _seeded(root: Path) -> Raw:
    """Every kind of item, a merge commit and a co-author among them."""
    return (
        Raw(root)
        .project(1)
        .user(1, "alice", public_email="alice@example.org")
        .user(2, "bob")
        .commit(1, "c1", "alice@example.org", days_before(3), coauthors=[("Bob", "bob@x.org")])
        .commit(1, "c2", "alice@example.org", days_before(2), parents=2)  # a merge: not counted
        .commit(1, "c3", "who@example.org", days_before(1), name="Who")
        .mr(110, 1, "alice", days_before(4), merged=days_before(3))
        .issue(120, 1, "bob", days_before(5), closed=days_before(2), closed_by="alice")
        .approval(1, 1, "bob", 110, days_before(3))
        .comment(2, 1, "bob", 110, days_before(3), note_id=77)
    )


def _as_former(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A row as the extraction wrote it before issue 22, with GitLab's own values."""
    old = dict(row)
    if table == "commits":
        old |= {"short_id": row["id"][:8], "committer_name": "CI", "committer_email": "ci@x.org"}
        old |= {"committed_date": row["authored_date"], "coauthors_malformed": 0}
        old["parent_ids"] = [f"p{i}" for i in range(old.pop("parent_count"))]
        old["web_url"] = f"{WEB}/-/commit/{row['id']}"
    elif table in ("merge_requests", "issues"):
        route = "merge_requests" if table == "merge_requests" else "issues"
        old |= {"state": "closed", "web_url": f"{WEB}/-/{route}/{row['iid']}"}
        for ref in ("author", "merged_by", "closed_by"):
            if old.get(ref):
                old[ref] = old[ref] | {"name": old[ref]["username"].title()}
    elif table == "events":
        old["target_iid"] = row["target_id"]
        if row["note"]:
            old["note"] = row["note"] | {"type": "DiscussionNote", "noteable_iid": 10}
    elif table == "projects":
        old |= {"name": "p1", "archived": False, "_source": "group:acme"}
    elif table == "users":
        old |= {"name": row["username"].title(), "state": "active", "web_url": "https://x/u"}
    return old


def test_parts_with_the_former_columns_build_the_same_marts(tmp_path: Path) -> None:
    team = roster(member("red", "alice"), member("red", "bob"), emails={"bob": ("bob@x.org",)})
    new = build(_seeded(tmp_path / "new"), team)

    former = _seeded(tmp_path / "old")
    for table, rows in former.tables.items():
        folder = former.root / table
        folder.mkdir(parents=True)
        olds = [_as_former(table, row) for row in rows]
        pq.write_table(pa.Table.from_pylist(olds, schema=OLD[table]), folder / "old.parquet")
    former.tables = {name: [] for name in former.tables}  # `build` writes nothing more
    old = build(former, team)

    assert {name: old[name].to_pylist() for name in MARTS} == {
        name: new[name].to_pylist() for name in MARTS
    }
    kinds = {(r["kind"], r["item_id"], r["web_url"]) for r in new["contributions"].to_pylist()}
    assert kinds == {
        ("commit", "c1", f"{WEB}/-/commit/c1"),
        ("commit_coauthored", "c1", f"{WEB}/-/commit/c1"),
        ("mr_opened", "110", f"{WEB}/-/merge_requests/10"),
        ("mr_merged", "110", f"{WEB}/-/merge_requests/10"),
        ("issue_opened", "120", f"{WEB}/-/issues/20"),
        ("issue_closed", "120", f"{WEB}/-/issues/20"),
        ("mr_approved", "110", f"{WEB}/-/merge_requests/10"),
        ("review_comment", "110", f"{WEB}/-/merge_requests/10#note_77"),
    }
