"""Warnings about one roster user (unknown, bot, blocked): one wording each, said once a run."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

UNKNOWN, BOT, INACTIVE = "unknown", "bot", "inactive"

#: The logging `extra` key that marks a record as a notice about (username, kind).
KEY = "roster_notice"


@dataclass(frozen=True)
class Notice:
    """One fact about a roster user; `where` is `FILE:LINE:username` when a roster line is known."""

    username: str
    kind: str
    text: str
    where: str | None = None

    @property
    def line(self) -> str:
        return f"{self.where}: {self.text}" if self.where else self.text

    @property
    def extra(self) -> dict[str, Any]:
        return {KEY: (self.username, self.kind)}

    def log(self, logger: logging.Logger) -> None:
        logger.warning("%s", self.line, extra=self.extra)


def unknown(username: str, where: str | None = None) -> Notice:
    text = (
        f"{username!r} was not found in GitLab (its username search hides blocked, banned and "
        "LDAP-blocked accounts from a non-admin token, and no extracted merge request, issue or "
        "review event names them); only its teams.csv emails can match commits"
    )
    return Notice(username, UNKNOWN, _subject(text, where), where)


def bot(username: str, why: str, where: str | None = None) -> Notice:
    """`why`: "is a bot account in GitLab" or "is listed in bots.txt"."""
    text = f"{username!r} {why}; it will be left out of the board"
    return Notice(username, BOT, _subject(text, where), where)


def inactive(username: str, state: str, where: str | None = None) -> Notice:
    text = f"{username!r} is {state} in GitLab; past work still counts"
    return Notice(username, INACTIVE, _subject(text, where), where)


def _subject(text: str, where: str | None) -> str:
    """Without a roster line to point at, the sentence says whom it is about."""
    return text if where else f"roster user {text}"


class OncePerRun(logging.Filter):
    """Drops a notice about a user already warned about in this run (validate, extract and build
    each find the same facts; `demo` and `run` chain them)."""

    def __init__(self) -> None:
        super().__init__()
        self._said: set[tuple[str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = getattr(record, KEY, None)
        if key is None:
            return True
        if key in self._said:
            return False
        self._said.add(key)
        return True
