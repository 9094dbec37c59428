"""Whole-file mistakes in teams.csv (not a CSV at all, another separator, no header, a column no
row fills, emails split by commas): each reported once, with its fix, not once per line."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.roster.csvrecords import Record
from pipeline.roster.fields import looks_like_email
from pipeline.roster.text import Problem


def header_problem(record: Record, names: list[str], columns: Sequence[str]) -> Problem | None:
    """A header that is not one: another separator, or a member row where the header belongs."""
    if len(names) == 1:
        for separator, word in ((";", "semicolons"), ("\t", "tabs")):
            parts = [p.strip() for p in names[0].split(separator)]
            if len(parts) > 1 and set(parts) & set(columns):
                return Problem(
                    record.line,
                    "-",
                    f"the columns are separated by {word}, but teams.csv is comma-separated: "
                    f"write the header as {','.join(parts)!r} and the rows likewise, or save "
                    "it as CSV UTF-8 (comma-separated)",
                )
    if len(names) > 1 and not set(names) & set(columns):
        shown = ",".join(f.strip() for f in record.fields)
        return Problem(
            record.line,
            "-",
            f"the first line must be the header, e.g. team,username,emails,joined,left; "
            f"{shown!r} looks like a member: add the header line above it",
        )
    return None


def trailing_empty(names: list[str]) -> int:
    """How many empty names end the header (`team,username,` has one)."""
    count = 0
    while count < len(names) and not names[len(names) - 1 - count]:
        count += 1
    return count


def comma_emails(record: Record, header: list[str]) -> Problem | None:
    """`web,alice,a@x.org,b@y.org` under `team,username,emails`: emails split by a comma."""
    extra = len(record.fields) - len(header)
    if extra <= 0 or "emails" not in header:
        return None
    at = header.index("emails")
    parts = [f.strip() for f in record.fields[at : at + extra + 1]]
    if not all(looks_like_email(p) for p in parts):
        return None
    joined = ";".join(parts)
    return Problem(
        record.line,
        "emails",
        f"emails separated by a comma split the row into {len(record.fields)} fields: "
        f"separate them with ';' ({joined!r})",
    )


def field_count_problem(
    records: list[Record], header: list[str], header_line: int
) -> Problem | None:
    """Every row has the same wrong number of fields: one cause in the header (or in every
    row's ending), reported once on the header line instead of once per row."""
    counts = {len(r.fields) for r in records}
    if len(records) < 2 or len(counts) != 1:
        return None
    (count,) = counts
    width = len(header)
    if count == width:
        return None
    if count < width:
        unused = ", ".join(repr(name) for name in header[count:])
        return Problem(
            header_line,
            "-",
            f"every row has {count} field{'s' * (count != 1)}, but the header names {width} "
            f"columns: no row fills {unused}; remove it from the header, or end each row "
            "with a comma for it (an empty field is fine)",
        )
    if all(not "".join(r.fields[width:]).strip() for r in records):
        fix = "every row ends with an extra comma: remove it"
    else:
        fix = "name the extra columns in the header, or quote values that hold a comma"
    message = f"every row has {count} fields, but the header names {width} columns: {fix}"
    return Problem(header_line, "-", message)
