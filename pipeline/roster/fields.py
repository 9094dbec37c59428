"""Field rules of teams.csv and bots.txt: GitLab usernames, commit emails, strict dates."""

from __future__ import annotations

import datetime as dt
import re

_USERNAME = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*")
_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def username_problem(value: str) -> str | None:
    """Why `value` is not a GitLab username, or None when it is one."""
    if not value:
        return "empty username"
    if " " in value or "@" in value:
        what = "a space" if " " in value else "an @ (emails go in the emails column)"
        return f"bad username {value!r}: it contains {what}"
    # case-sensitive like the contract and GitLab's own path rule (`(?<!\.git|\.atom)`)
    if not _USERNAME.fullmatch(value) or value.endswith((".", ".git", ".atom")):
        return (
            f"bad username {value!r}: use letters, digits, _ . - (not first) "
            "and no trailing ., .git or .atom"
        )
    return None


def email_problem(value: str) -> str | None:
    """Why `value` is not a commit email `local@domain`, or None."""
    if _EMAIL.fullmatch(value):
        return None
    hint = "; separate emails with ;" if "," in value else ""
    return f"bad email {value!r}: expected local@domain without spaces{hint}"


def parse_date(value: str) -> dt.date | None:
    """A strict `YYYY-MM-DD` (a real calendar day), else None."""
    if not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
