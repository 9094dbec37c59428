"""Parses and validates teams.csv (dated memberships) and bots.txt into the roster."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


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

    @property
    def usernames(self) -> tuple[str, ...]:
        return tuple(sorted({m.username for m in self.memberships}))


@dataclass(frozen=True)
class Bots:
    """bots.txt: reviewed bot usernames and emails (lower-case); a missing file is empty."""

    usernames: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()


def read_roster(path: Path) -> Roster:
    """Parse and validate teams.csv; raise RosterError listing every problem."""
    raise NotImplementedError


def read_bots(path: Path) -> Bots:
    """Parse bots.txt (one username or email per line, `#` comments)."""
    raise NotImplementedError
