"""Roster users: `/users?username=` then `/users/:id` (public_email, bot), cached in data/state."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline import schema
from pipeline.extract import rows
from pipeline.extract.run import Extraction
from pipeline.extract.scheduler import Call, Source
from pipeline.extract.store.state import UserCache, format_time
from pipeline.extract.store.writer import write_table

log = logging.getLogger("leaderboard.extract")

FETCHED_AT = "_fetched_at"


class UserResolver:
    """Looks up roster names GitLab has not told us about yet (all of them on a full run)."""

    def __init__(self, ex: Extraction, usernames: Sequence[str], cache: UserCache) -> None:
        self.ex = ex
        self.usernames = sorted({name.lower() for name in usernames})
        self.cache = cache
        self.looked_up = 0

    def sources(self) -> list[Source]:
        cached = set(self.cache.users) | set(self.cache.unknown)
        wanted = [u for u in self.usernames if self.ex.full or u not in cached]
        self.looked_up = len(wanted)
        return [self._lookup(name) for name in wanted]

    def _lookup(self, name: str) -> Source:
        client = self.ex.client

        def then(found: Any) -> Iterable[Source]:
            matches = [u for u in found if str(u.get("username", "")).lower() == name]
            if not matches:
                log.warning(
                    "roster user %r is unknown to GitLab; only teams.csv emails match", name
                )
                self.cache.users.pop(name, None)
                self.cache.unknown[name] = format_time(self.ex.extracted_at)
                return ()
            return [self._record(name, int(matches[0]["id"]))]

        return Call(lambda: client.get("/users", {"username": name}, what=f"user {name}"), then)

    def _record(self, name: str, user_id: int) -> Source:
        client = self.ex.client

        def then(record: Any) -> Iterable[Source]:
            self.cache.unknown.pop(name, None)
            self.cache.users[name] = {**record, FETCHED_AT: format_time(self.ex.extracted_at)}
            return ()

        return Call(lambda: client.get(f"/users/{user_id}", what=f"user {name}"), then)

    def finish(self, path: Path) -> int:
        """Forget names no longer on the roster and write raw/users/users.parquet."""
        roster = set(self.usernames)
        self.cache.users = {k: v for k, v in self.cache.users.items() if k in roster}
        self.cache.unknown = {k: v for k, v in self.cache.unknown.items() if k in roster}
        for name in sorted(self.cache.unknown):
            if name in roster and not self.ex.full and name not in self._fresh_unknown():
                log.warning("roster user %r is still unknown to GitLab (last full run)", name)
        table = [
            rows.user_to_row(record, _fetched(record, self.ex.extracted_at))
            for _, record in sorted(self.cache.users.items())
        ]
        return write_table(path, schema.USERS, table)

    def _fresh_unknown(self) -> set[str]:
        stamp = format_time(self.ex.extracted_at)
        return {k for k, v in self.cache.unknown.items() if v == stamp}


def _fetched(record: dict[str, Any], default: dt.datetime) -> dt.datetime:
    value = record.get(FETCHED_AT)
    return rows.parse_time(value) or default if value else default
