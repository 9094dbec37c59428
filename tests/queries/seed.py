"""Small seeded raw tables (Parquet, schema.RAW) and a roster, run through the real SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.marts.runner import build_marts, log_roster_findings
from pipeline.roster.teams import Bots, Membership, Roster
from pipeline.schema import RAW

UTC = dt.UTC
AS_OF = dt.datetime(2026, 8, 23, 12, 0, tzinfo=UTC)
NOREPLY = "users.noreply.gitlab.example.com"
EXTRACTED = dt.datetime(2026, 8, 23, 11, 0, tzinfo=UTC)


def t(text: str) -> dt.datetime:
    """An aware datetime from ISO text; a bare time is UTC."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def days_before(n: float, hours: float = 0) -> dt.datetime:
    return AS_OF - dt.timedelta(days=n, hours=hours)


def ref(username: str | None) -> dict[str, Any] | None:
    if username is None:
        return None
    return {
        "id": abs(hash(username)) % 10_000,
        "username": username,
        "state": "active",
    }


class Raw:
    """Collects raw rows per table and writes one Parquet file per table (or per part)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tables: dict[str, list[dict[str, Any]]] = {name: [] for name in RAW}

    def project(self, pid: int, *, fork_of: int | None = None, path: str | None = None) -> Raw:
        self.tables["projects"].append(
            {
                "id": pid,
                "path_with_namespace": path or f"acme/p{pid}",
                "default_branch": "main",
                "forked_from_project_id": fork_of,
                "web_url": f"https://gitlab.example.com/acme/p{pid}",
                "_extracted_at": EXTRACTED,
            }
        )
        return self

    def commit(
        self,
        pid: int,
        sha: str,
        email: str,
        authored: dt.datetime,
        *,
        name: str = "Someone",
        parents: int = 1,
        extracted: dt.datetime = EXTRACTED,
        coauthors: Sequence[tuple[str, str]] = (),
    ) -> Raw:
        self.tables["commits"].append(
            {
                "project_id": pid,
                "id": sha,
                "title": f"commit {sha}",
                "author_name": name,
                "author_email": email,
                "authored_date": authored,
                "parent_count": parents,
                "coauthors": [{"name": who, "email": address} for who, address in coauthors],
                "_extracted_at": extracted,
            }
        )
        return self

    def mr(
        self,
        mid: int,
        pid: int,
        author: str,
        created: dt.datetime,
        *,
        merged: dt.datetime | None = None,
        updated: dt.datetime | None = None,
        title: str | None = None,
        extracted: dt.datetime = EXTRACTED,
    ) -> Raw:
        self.tables["merge_requests"].append(
            {
                "id": mid,
                "iid": mid % 100,
                "project_id": pid,
                "title": title or f"mr {mid}",
                "created_at": created,
                "updated_at": updated or merged or created,
                "merged_at": merged,
                "author": ref(author),
                "merged_by": None,
                "closed_by": None,
                "_extracted_at": extracted,
            }
        )
        return self

    def issue(
        self,
        iid: int,
        pid: int,
        author: str,
        created: dt.datetime,
        *,
        closed: dt.datetime | None = None,
        closed_by: str | None = None,
    ) -> Raw:
        self.tables["issues"].append(
            {
                "id": iid,
                "iid": iid % 100,
                "project_id": pid,
                "title": f"issue {iid}",
                "created_at": created,
                "updated_at": closed or created,
                "closed_at": closed,
                "author": ref(author),
                "closed_by": ref(closed_by),
                "_extracted_at": EXTRACTED,
            }
        )
        return self

    def user(
        self, uid: int, username: str, *, public_email: str | None = None, bot: bool = False
    ) -> Raw:
        self.tables["users"].append(
            {
                "id": uid,
                "username": username,
                "public_email": public_email,
                "bot": bot,
                "_extracted_at": EXTRACTED,
            }
        )
        return self

    def approval(self, eid: int, pid: int, who: str, mr_id: int, at: dt.datetime) -> Raw:
        """An `approved` event of /projects/:id/events on MR `mr_id` (iid as `mr` gives it)."""
        return self._event(eid, pid, who, at, "approved", "MergeRequest", mr_id)

    def comment(
        self,
        eid: int,
        pid: int,
        who: str,
        item_id: int,
        at: dt.datetime,
        *,
        note_id: int | None = None,
        system: bool = False,
        on: str = "MergeRequest",
    ) -> Raw:
        """A `commented on` event: its target is the note; the MR (or issue) is its noteable."""
        note_id = note_id or 1000 + eid
        note = {"id": note_id, "system": system, "noteable_type": on, "noteable_id": item_id}
        return self._event(eid, pid, who, at, "commented on", "Note", note_id, note)

    def _event(
        self,
        eid: int,
        pid: int,
        who: str,
        at: dt.datetime,
        action: str,
        target_type: str,
        target_id: int,
        note: dict[str, Any] | None = None,
    ) -> Raw:
        self.tables["events"].append(
            {
                "id": eid,
                "project_id": pid,
                "action_name": action,
                "target_type": target_type,
                "target_id": target_id,
                "author_id": abs(hash(who)) % 10_000,
                "author_username": who,
                "created_at": at,
                "note": note,
                "_extracted_at": EXTRACTED,
            }
        )
        return self

    def write(self, part: str = "part") -> Path:
        """Write each non-empty table to raw/<table>/<part>.parquet; return the raw dir."""
        for name, rows in self.tables.items():
            if rows:
                folder = self.root / name
                folder.mkdir(parents=True, exist_ok=True)
                pq.write_table(
                    pa.Table.from_pylist(rows, schema=RAW[name]), folder / f"{part}.parquet"
                )
        return self.root


def member(
    team: str, username: str, joined: str | None = None, left: str | None = None
) -> Membership:
    return Membership(
        team=team,
        username=username,
        joined=dt.date.fromisoformat(joined) if joined else None,
        left=dt.date.fromisoformat(left) if left else None,
        line=0,
    )


def roster(
    *memberships: Membership,
    emails: dict[str, tuple[str, ...]] | None = None,
    unlisted: frozenset[str] = frozenset(),
) -> Roster:
    return Roster(
        path=Path("teams.csv"), memberships=memberships, emails=emails or {}, unlisted=unlisted
    )


def build(
    raw: Raw, team_roster: Roster, bots: Bots | None = None, as_of: dt.datetime = AS_OF
) -> dict[str, pa.Table]:
    """The marts as `leaderboard build` computes them (its warnings logged), nothing written."""
    result = build_marts([raw.write()], team_roster, bots or Bots(), as_of, NOREPLY)
    log_roster_findings(result)
    return result.marts


def rows(table: pa.Table, *columns: str) -> list[tuple[Any, ...]]:
    """The table's rows as tuples of the given columns (all columns when none given)."""
    names = list(columns) or table.column_names
    data = table.select(names).to_pylist()
    return [tuple(row[n] for n in names) for row in data]


def window(table: pa.Table, name: str, *columns: str) -> list[tuple[Any, ...]]:
    return [r[1:] for r in rows(table, "window", *columns) if r[0] == name]
