"""Parses and validates teams.csv (dated memberships) and bots.txt into the roster."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import RosterError
from pipeline.roster import layout
from pipeline.roster.csvrecords import Record, read_records
from pipeline.roster.fields import (
    email_problem,
    listed_problem,
    parse_date,
    parse_listed,
    username_problem,
)
from pipeline.roster.text import Problem, decode_lines, format_problem

COLUMNS = ("team", "username", "emails", "joined", "left", "listed")
REQUIRED = ("team", "username")


@dataclass(frozen=True)
class Membership:
    """One teams.csv row: `username` (lower-case) is in `team` over [joined, left) in UTC."""

    team: str
    username: str
    joined: dt.date | None
    left: dt.date | None
    line: int


@dataclass(frozen=True)
class Roster:
    """A validated teams.csv. `emails` maps a username to its teams.csv emails, lower-cased."""

    path: Path
    memberships: tuple[Membership, ...]
    emails: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: people marked `listed=no`: they count for their teams but are named nowhere published
    unlisted: frozenset[str] = frozenset()

    @property
    def usernames(self) -> tuple[str, ...]:
        return tuple(sorted({m.username for m in self.memberships}))


@dataclass(frozen=True)
class Bots:
    """bots.txt: reviewed bot usernames and emails (lower-case); a missing file is empty."""

    usernames: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()


@dataclass
class _Row:
    """A data row after field checks; `ok` when it can take part in the cross-row checks."""

    line: int
    team: str
    raw_username: str
    username: str | None
    emails: list[str]
    joined: dt.date | None
    left: dt.date | None
    ok: bool
    listed: bool = True


def check_roster(path: Path) -> tuple[Roster | None, list[str]]:
    """Parse and validate teams.csv; return the roster (None on error) and every error line."""
    problems: list[Problem] = []
    text, bad_lines = decode_lines(path, problems)
    rows: list[_Row] = []
    if text is not None:
        rows = _check_rows(text, bad_lines, problems)
    _check_across_rows(rows, problems)
    problems.sort(key=_order)
    errors = [format_problem(path, p) for p in problems]
    return (None if errors else _to_roster(path, rows)), errors


def _order(problem: Problem) -> tuple[int, int]:
    """Errors in line order, then whole-row first, then in the contract's column order."""
    columns = ("-", *COLUMNS)
    rank = columns.index(problem.column) if problem.column in columns else len(columns)
    return problem.line, rank


def read_roster(path: Path) -> Roster:
    """Parse and validate teams.csv; raise RosterError listing every problem."""
    roster, errors = check_roster(path)
    if roster is None:
        raise RosterError(errors)  # the CLI prints every line, then the one-line error
    return roster


def _check_rows(text: str, bad_lines: set[int], problems: list[Problem]) -> list[_Row]:
    records = [r for r in read_records(text) if not r.blank]
    if not records:
        message = "the file is empty: it needs a header such as team,username"
        problems.append(Problem(1, "-", message))
        return []
    header = _check_header(records[0], bad_lines, problems)
    if header is None:
        return []
    if len(records) == 1 and not problems:
        message = "no members: the header has no rows under it"
        problems.append(Problem(records[0].line, "-", message))
    # a record with bytes that are not UTF-8 is already reported; its text cannot be trusted
    readable = [
        r
        for r in records[1:]
        if not bad_lines.intersection(range(r.line, max(r.line, r.last_line) + 1))
    ]
    if shape := _shape_problem(readable, header, records[0].line):
        problems.append(shape)
        return []
    rows = []
    for record in readable:
        row = _check_row(record, header, problems)
        if row is not None:
            rows.append(row)
    return rows


def _shape_problem(records: list[Record], header: list[str], line: int) -> Problem | None:
    """Rows that all miss (or add) the same fields: one error for the one cause. The empty
    columns ending a header are reported with it; rows may leave them out."""
    width = len(header) - layout.trailing_empty(header)
    whole = [
        r
        for r in records
        if not r.broken and not layout.comma_emails(r, header) and len(r.fields) != width
    ]
    return layout.field_count_problem(whole, header, line) if len(whole) == len(records) else None


def _check_header(record: Record, bad_lines: set[int], problems: list[Problem]) -> list[str] | None:
    """The lower-cased column names, or None when rows cannot be read against them."""
    if record.line in bad_lines:
        return None
    if record.broken or record.problems:
        for _, message in record.problems:
            problems.append(Problem(record.line, "-", f"header: {message}"))
        return None
    names = [name.strip().lower() for name in record.fields]
    if problem := layout.header_problem(record, names, COLUMNS):
        problems.append(problem)
        return None
    usable = True
    empty_tail = layout.trailing_empty(names)
    if empty_tail and empty_tail < len(names):
        message = "the header ends with a comma (an empty column): remove it"
        problems.append(Problem(record.line, "-", message))
    for index, name in enumerate(names[: len(names) - empty_tail]):
        if not name:
            problems.append(Problem(record.line, "-", f"column {index + 1} of the header is empty"))
        elif name not in COLUMNS:
            expected = ", ".join(COLUMNS)
            hint = " (teams.csv is comma-separated)" if any(c in name for c in ";\t") else ""
            message = f"unknown column {name!r}; use {expected}{hint}"
            problems.append(Problem(record.line, name, message))
        elif name in names[:index]:
            problems.append(Problem(record.line, name, f"column {name!r} appears twice"))
            usable = False
    for name in REQUIRED:
        if name not in names:
            problems.append(Problem(record.line, name, f"missing required column {name!r}"))
            usable = False
    return names if usable else None


def _check_row(record: Record, header: list[str], problems: list[Problem]) -> _Row | None:
    line = record.line

    def column(index: int) -> str:
        return header[index] if index < len(header) and header[index] else "-"

    bad_fields = set()
    for number, (index, message) in enumerate(record.problems, start=1):
        if record.broken and number == len(record.problems):
            # an unbalanced quote leaves the row's fields unknown: a whole-row problem
            problems.append(Problem(line, "-", message))
        elif index not in bad_fields:
            problems.append(Problem(line, column(index), message))
            bad_fields.add(index)
    if record.broken:
        return None
    if problem := layout.comma_emails(record, header):
        problems.append(problem)
        return None
    # rows may leave out the empty columns ending the header (reported once, on the header)
    fields = record.fields + [""] * (len(header) - len(record.fields))
    if not len(header) - layout.trailing_empty(header) <= len(record.fields) <= len(header):
        count = len(record.fields)
        message = f"{count} field{'s' * (count != 1)}, but the header has {len(header)}"
        problems.append(Problem(line, "-", message))
        return None
    cells = {
        name: value.strip()
        for index, (name, value) in enumerate(zip(header, fields, strict=True))
        if index not in bad_fields
    }
    return _check_cells(line, cells, problems, clean=not bad_fields)


def _check_cells(line: int, cells: dict[str, str], problems: list[Problem], clean: bool) -> _Row:
    ok = clean
    team = cells.get("team", "")
    if "team" in cells and not team:
        problems.append(Problem(line, "team", "empty team"))
        ok = False
    raw_username = cells.get("username", "")
    username: str | None = raw_username.lower()
    if "username" in cells and (problem := username_problem(raw_username)):
        problems.append(Problem(line, "username", problem))
        username = None
    emails = []
    for item in cells.get("emails", "").split(";"):
        if not item.strip():
            continue
        if problem := email_problem(item.strip()):
            problems.append(Problem(line, "emails", problem))
        elif item.strip().lower() not in emails:
            emails.append(item.strip().lower())
    dates: dict[str, dt.date | None] = {}
    for name in ("joined", "left"):
        value = cells.get(name, "")
        dates[name] = parse_date(value) if value else None
        if value and dates[name] is None:
            problems.append(Problem(line, name, f"bad date {value!r}: expected YYYY-MM-DD"))
            ok = False
    joined, left = dates["joined"], dates["left"]
    if joined and left and left <= joined:
        problems.append(Problem(line, "left", f"left {left} is not after joined {joined}"))
        ok = False
    listed = parse_listed(cells.get("listed", ""))
    if listed is None:
        problems.append(Problem(line, "listed", listed_problem(cells["listed"])))
    ok = ok and listed is not None and bool(username)
    return _Row(line, team, raw_username, username, emails, joined, left, ok, listed is not False)


def _overlaps(a: _Row, b: _Row) -> bool:
    start = max(a.joined or dt.date.min, b.joined or dt.date.min)
    end = min(a.left or dt.date.max, b.left or dt.date.max)
    return start < end


def _span(row: _Row) -> str:
    start = f"from {row.joined}" if row.joined else "from the start"
    return f"{start} until {row.left}" if row.left else f"{start} onwards"


def _check_across_rows(rows: list[_Row], problems: list[Problem]) -> None:
    """Duplicates, overlapping memberships and emails claimed by two people."""
    valid = [r for r in rows if r.ok]
    for index, row in enumerate(valid):
        earlier = [r for r in valid[:index] if r.username == row.username]
        if problem := _conflict(row, earlier) or _listed_conflict(row, earlier):
            problems.append(problem)
    owners: dict[str, _Row] = {}
    for row in rows:
        for email in row.emails if row.username else ():
            owner = owners.setdefault(email, row)
            if owner.username != row.username:
                who = f"{owner.username!r} on line {owner.line}"
                message = f"email {email!r} is already listed for {who}"
                problems.append(Problem(row.line, "emails", message))


def _conflict(row: _Row, earlier: list[_Row]) -> Problem | None:
    """A duplicate of, or an overlap with, an earlier row of the same person."""
    key = (row.team, row.joined, row.left)
    duplicate = next((r for r in earlier if (r.team, r.joined, r.left) == key), None)
    other = duplicate or next((r for r in earlier if _overlaps(r, row)), None)
    if other is None:
        return None
    note = ""
    if other.raw_username != row.raw_username:
        note = f" ({other.raw_username!r} and {row.raw_username!r} are one person)"
    if duplicate:
        return Problem(row.line, "-", f"duplicate of line {other.line}{note}")
    where = f"team {other.team!r}, {_span(other)}"
    return Problem(
        row.line, "-", f"membership {_span(row)} overlaps line {other.line} ({where}){note}"
    )


def _listed_conflict(row: _Row, earlier: list[_Row]) -> Problem | None:
    """A person is named on the board or not, whatever the team: their rows must agree."""
    other = next((r for r in earlier if r.listed != row.listed), None)
    if other is None:
        return None
    message = f"listed differs from line {other.line}: write the same on every row of a person"
    return Problem(row.line, "listed", message)


def _to_roster(path: Path, rows: list[_Row]) -> Roster:
    memberships = []
    emails: dict[str, list[str]] = {}
    for row in rows:
        assert row.username is not None  # a roster is only built from error-free rows
        memberships.append(Membership(row.team, row.username, row.joined, row.left, row.line))
        known = emails.setdefault(row.username, [])
        known.extend(e for e in row.emails if e not in known)
    return Roster(
        path=path,
        memberships=tuple(memberships),
        emails={user: tuple(items) for user, items in emails.items() if items},
        unlisted=frozenset(row.username for row in rows if row.username and not row.listed),
    )


def check_bots(path: Path) -> tuple[Bots | None, list[str]]:
    """Parse bots.txt; return the bots (None on error) and every error line."""
    if not path.exists():
        return Bots(), []
    problems: list[Problem] = []
    text, bad_lines = decode_lines(path, problems)
    usernames: set[str] = set()
    emails: set[str] = set()
    for number, raw in enumerate((text or "").split("\n"), start=1):
        entry = re.sub(r"(^|\s)#.*", "", raw).strip()
        if not entry or number in bad_lines:
            continue
        check = email_problem if "@" in entry else username_problem
        if problem := check(entry):
            problems.append(Problem(number, "-", problem))
        (emails if "@" in entry else usernames).add(entry.lower())
    errors = [format_problem(path, p) for p in sorted(problems, key=_order)]
    return (None if errors else Bots(frozenset(usernames), frozenset(emails))), errors


def read_bots(path: Path) -> Bots:
    """Parse bots.txt (one username or email per line, `#` comments)."""
    bots, errors = check_bots(path)
    if bots is None:
        raise RosterError(errors)
    return bots
