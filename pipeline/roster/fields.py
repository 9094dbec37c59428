"""Field rules of teams.csv and bots.txt: GitLab usernames, commit emails, strict dates."""

from __future__ import annotations

import datetime as dt
import re

_USERNAME = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*")
_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def username_problem(value: str) -> str | None:
    """Why `value` is not a GitLab username, or None when it is one; with the fix when clear."""
    if not value:
        return "empty username"
    if value.startswith("@") and not username_problem(value[1:]):
        return f"bad username {value!r}: write it without the @ ({value[1:]!r})"
    if "://" in value:
        name = value.rstrip("/").rsplit("/", 1)[-1]
        return f"bad username {value!r}: write the username alone, not a URL ({name!r})"
    if " " in value or "@" in value:
        what = (
            "a space (use the GitLab username, as in @alice, not the display name)"
            if " " in value
            else "an @ (emails go in the emails column)"
        )
        return f"bad username {value!r}: it contains {what}"
    # case-sensitive like the contract and GitLab's own path rule (`(?<!\.git|\.atom)`)
    if not _USERNAME.fullmatch(value) or value.endswith((".", ".git", ".atom")):
        return (
            f"bad username {value!r}: use letters, digits, _ . - (not first) "
            "and no trailing ., .git or .atom"
        )
    return None


def looks_like_email(value: str) -> bool:
    return bool(_EMAIL.fullmatch(value))


def email_problem(value: str) -> str | None:
    """Why `value` is not a commit email `local@domain`, or None."""
    if _EMAIL.fullmatch(value):
        return None
    parts = [p.strip() for p in re.split(r"[,\s]+", value) if p.strip()]
    if len(parts) > 1 and all(_EMAIL.fullmatch(p) for p in parts):
        return f"emails {value!r} are separated by ',' or spaces: use ';' ({';'.join(parts)!r})"
    return f"bad email {value!r}: expected local@domain without spaces"


def parse_date(value: str) -> dt.date | None:
    """A strict `YYYY-MM-DD` (a real calendar day), else None."""
    if not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_listed(value: str) -> bool | None:
    """The `listed` column: yes (the default when empty) or no, any case; None when neither."""
    word = value.strip().lower()
    return {"": True, "yes": True, "no": False}.get(word)


def listed_problem(value: str) -> str:
    return f"bad value {value!r}: use yes (named on the board) or no (counted, never named)"
