"""UTC times: the one ISO 8601 reader and writer every stage shares, and the default since."""

from __future__ import annotations

import datetime as dt
from typing import Literal


def parse_utc(text: str, *, bare_is_utc: bool = False) -> dt.datetime:
    """An ISO 8601 time with `Z` or an offset, as an aware UTC datetime.

    A time without a zone raises ValueError (it would be read in the machine's zone), unless
    `bare_is_utc` says the text is UTC by definition (`--as-of`, whose contract format is UTC).
    """
    value = dt.datetime.fromisoformat(text.strip())  # Python 3.11+ reads `Z` and offsets
    if value.tzinfo is None:
        if not bare_is_utc:
            raise ValueError(f"time without a time zone: {text!r}")
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def parse_optional(value: object) -> dt.datetime | None:
    """A time as GitLab sends it: None or "" stay None; anything else must be an ISO 8601
    string with a zone (`parse_utc`), else ValueError."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    return parse_utc(value)


def format_utc(
    value: dt.datetime, timespec: Literal["auto", "seconds", "microseconds"] = "auto"
) -> str:
    """`2026-08-23T00:00:00Z`: UTC with `Z`; microseconds when there are any (`auto`), never
    (`seconds`, truncated) or always (`microseconds`, so equal lengths compare as strings)."""
    return value.astimezone(dt.UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def display_utc(value: dt.datetime) -> str:
    """`2026-08-23 00:00 UTC`: a time as people read it on the page and in the MR preview."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def default_since(today: dt.date) -> dt.date:
    """Two years back, so the 365-day window is always covered with room to spare."""
    try:
        return today.replace(year=today.year - 2)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 2, day=28)
