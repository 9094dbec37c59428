"""Who the site may name: the marts as published under LEADERBOARD_PEOPLE and teams.csv's listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

#: Marts publish reads but never writes to public/: the listed board replaces leaderboard_users,
#: and people_listed names the very people it hides.
INTERNAL = frozenset({"leaderboard_listed_users", "people_listed"})
#: Marts of people, left out of public/ entirely when people are hidden (LEADERBOARD_PEOPLE=hide):
#: the people board, members' commit emails, and the unmatched emails (addresses of people).
PERSONAL = frozenset({"leaderboard_users", "member_emails", "unmatched_authors",
                      "unmatched_projects"})  # fmt: skip
#: With people hidden, the unmatched commit emails as counts per project (no addresses).
UNMATCHED_COUNTS = "unmatched_by_project"
UNMATCHED_COUNTS_SCHEMA = pa.schema(
    [
        pa.field("project_id", pa.int64()),
        pa.field("path_with_namespace", pa.string()),
        pa.field("web_url", pa.string()),
        pa.field("emails", pa.int64()),
        pa.field("commits", pa.int64()),
    ]
)


@dataclass(frozen=True)
class Audience:
    """What the site may say about people: `hide` (teams only) or `show`, and who is not listed."""

    mode: str
    #: distinct people on the published people board (any window), and those left off it
    listed: int = 0
    unlisted: int = 0
    #: [window, team, people not listed] for each team with any
    unlisted_by_team: tuple[tuple[str, str, int], ...] = ()

    @property
    def hidden(self) -> bool:
        """Teams only: no person is named or has a row anywhere in public/."""
        return self.mode == "hide"

    @property
    def partial(self) -> bool:
        """People shown, but some of them marked listed=no in teams.csv."""
        return self.mode == "show" and self.unlisted > 0

    def unlisted_json(self) -> dict[str, Any]:
        return {
            "columns": ["window", "team", "people"],
            "rows": [list(r) for r in self.unlisted_by_team],
        }


def for_site(marts: dict[str, pa.Table], mode: str) -> tuple[dict[str, pa.Table], Audience]:
    """The marts public/ may hold (downloads and page alike), and what the page says about it."""
    public = {name: table for name, table in marts.items() if name not in INTERNAL}
    if mode == "hide":
        return hide_people(public), Audience("hide")
    hidden = unlisted_names(marts["people_listed"])
    if not hidden:
        return public, Audience("show", listed=_people(marts["leaderboard_users"]))
    board = marts["leaderboard_users"]
    public["leaderboard_users"] = marts["leaderboard_listed_users"]
    public["member_emails"] = without(public["member_emails"], "username", hidden)
    public["contributions"] = blank(public["contributions"], "username", hidden)
    public["bot_activity"] = without(public["bot_activity"], "username", hidden)
    audience = Audience(
        "show",
        listed=_people(public["leaderboard_users"]),
        unlisted=len({u for u in board.column("username").to_pylist() if u in hidden}),
        unlisted_by_team=unlisted_counts(board, hidden),
    )
    return public, audience


def hide_people(public: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Team-level marts only: no person's rows, the items without who made them."""
    out = {name: table for name, table in public.items() if name not in PERSONAL}
    out["contributions"] = blank(public["contributions"], "username", None)
    out[UNMATCHED_COUNTS] = unmatched_counts(public["unmatched_projects"])
    return out


def unlisted_names(people: pa.Table) -> frozenset[str]:
    return frozenset(str(row["username"]) for row in people.to_pylist() if row["listed"] is False)


def without(table: pa.Table, column: str, names: frozenset[str]) -> pa.Table:
    """The rows whose `column` is not one of names."""
    keep = pc.invert(pc.fill_null(pc.is_in(table.column(column), pa.array(sorted(names))), False))
    return table.filter(keep)


def blank(table: pa.Table, column: str, names: frozenset[str] | None) -> pa.Table:
    """`column` null where it is one of names (every row when names is None); rows all kept, so
    the team totals the rows add up to stay those of the board."""
    values = table.column(column)
    if names is None:
        hide = pa.array([True] * table.num_rows, pa.bool_())
    else:
        hide = pc.fill_null(pc.is_in(values, pa.array(sorted(names), pa.string())), False)
    nulls = pa.nulls(table.num_rows, values.type)
    index = table.column_names.index(column)
    return table.set_column(index, table.schema.field(column), pc.if_else(hide, nulls, values))


def unlisted_counts(board: pa.Table, hidden: frozenset[str]) -> tuple[tuple[str, str, int], ...]:
    """(window, team, people not listed) from the whole board, for the team drill-downs."""
    seen: dict[tuple[str, str], set[str]] = {}
    for row in board.select(["window", "team", "username"]).to_pylist():
        if row["username"] in hidden:
            seen.setdefault((row["window"], row["team"]), set()).add(row["username"])
    return tuple((w, t, len(names)) for (w, t), names in sorted(seen.items()))


def unmatched_counts(places: pa.Table) -> pa.Table:
    """Per project: how many unmatched commit emails appear there and their commits."""
    grouped: dict[int, dict[str, Any]] = {}
    for row in places.to_pylist():
        entry = grouped.setdefault(
            row["project_id"],
            {"project_id": row["project_id"], "path_with_namespace": row["path_with_namespace"],
             "web_url": row["web_url"], "emails": 0, "commits": 0},
        )  # fmt: skip
        entry["emails"] += 1
        entry["commits"] += row["commits"]
    rows = sorted(grouped.values(), key=lambda r: (-r["commits"], str(r["path_with_namespace"])))
    return pa.Table.from_pylist(rows, schema=UNMATCHED_COUNTS_SCHEMA)


def _people(board: pa.Table) -> int:
    return len(set(board.column("username").to_pylist()))
