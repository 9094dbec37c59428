"""Roster users' GitLab records (`/users/:id`: state, public_email, bot), cached in data/state.

Looked up after the listings, when the cache lacks a record or it is due for a refresh (the
oldest first, within a per-run budget under GitLab's users_get_by_id limit). The id comes from
the cache, else from the MRs, issues and review events already extracted, else from
`/users?username=`: blocked, banned and LDAP-blocked accounts are hidden from a non-admin
token's username search (app/finders/users_finder.rb, User::FORBIDDEN_SEARCH_STATES) but
`/users/:id` returns them with their state (app/policies/user_policy.rb), and their past work
names them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline import schema
from pipeline.errors import RequestError
from pipeline.extract import rows
from pipeline.extract.authors import seen_users
from pipeline.extract.run import Extraction
from pipeline.extract.scheduler import Call, Source
from pipeline.extract.store.state import UserCache, format_time
from pipeline.extract.store.writer import write_table

log = logging.getLogger("leaderboard.extract")

FETCHED_AT = "_fetched_at"
HIDDEN = (
    "GitLab's username search finds nobody of that name (it hides blocked, banned and "
    "LDAP-blocked accounts from a non-admin token), and no merge request, issue or review event "
    "in the extracted data names them"
)


def budget(limit: int) -> int:
    """`/users/:id` look-ups one run plans for: well under GitLab's limit per 10 minutes (0:
    none), so a run stays under it with room for a retry or another job's look-ups."""
    return limit - limit // 6 if limit > 0 else 1 << 30


class UserResolver:
    """Finds the GitLab record of every roster name it can; a name found nowhere is `unknown`."""

    def __init__(self, ex: Extraction, usernames: Sequence[str], cache: UserCache) -> None:
        self.ex = ex
        self.usernames = sorted({name.lower() for name in usernames})
        self.cache = cache
        self.stamp = format_time(ex.extracted_at)
        self.looked_up = 0

    def sources(self, raw: Path) -> list[Source]:
        """This run's look-ups, planned once the listings wrote their parts under `raw`."""
        users, unknown = self.cache.users, self.cache.unknown
        missing = [name for name in self.usernames if name not in users]
        due = [n for n in self.usernames if n in users and self._due(users[n])]
        due.sort(key=lambda n: _age(users[n]))  # the oldest records first
        room = max(0, budget(self.ex.settings.user_lookup_limit) - len(missing))
        if len(due) > room:
            log.info("refreshing %d of %d user records due; the rest on later runs", room, len(due))
        seen = seen_users(raw, missing)
        out = [self._by_id(n, int(users[n]["id"])) for n in due[:room]]
        for name in missing:
            if name in seen:
                out.append(self._by_id(name, seen[name].id))
            elif name not in unknown or self._due_stamp(unknown[name]):
                out.append(self._search(name))
        self.looked_up = len(out)
        self._announce(len(out))
        return out

    def _due(self, record: dict[str, Any]) -> bool:
        return self._due_stamp(str(record.get(FETCHED_AT) or ""))

    def _due_stamp(self, stamp: str) -> bool:
        """Full runs refresh every record (within the budget); others those older than
        LEADERBOARD_FULL_REFRESH_DAYS."""
        when = rows.parse_time(stamp) if stamp else None
        age = dt.timedelta(days=self.ex.settings.full_refresh_days)
        return self.ex.full or when is None or self.ex.extracted_at - when >= age

    def _announce(self, count: int) -> None:
        limit = self.ex.settings.user_lookup_limit
        if limit and count > limit - limit // 30:
            log.warning(
                "looking up %d users: GitLab allows a non-admin token %d user look-ups by id per "
                "10 minutes (users_get_by_id), so this run waits about %d minutes for them",
                count,
                limit,
                10 * ((count - 1) // (limit - limit // 30)),
            )

    def _by_id(self, name: str, user_id: int, *, searched: bool = False) -> Source:
        """`/users/:id`; a record under another username (renamed, or the name passed to someone
        else) or a 404 sends an unsearched name to the username search."""
        client = self.ex.client

        def then(record: Any) -> Iterable[Source]:
            current = str(record.get("username", ""))
            if current.lower() == name:
                self.cache.unknown.pop(name, None)
                self.cache.users[name] = {**record, FETCHED_AT: self.stamp}
                return ()
            log.warning(
                "roster user %r: GitLab user %d is now %r; if that is the same person, rename "
                "them in teams.csv",
                name,
                user_id,
                current,
            )
            return self._unknown(name) if searched else [self._search(name)]

        def tolerate(error: BaseException) -> Iterable[Source] | None:
            if not isinstance(error, RequestError) or error.reason != "HTTP 404":
                return None
            return self._unknown(name) if searched else [self._search(name)]

        get = lambda: client.get(f"/users/{user_id}", what=f"user {name}")  # noqa: E731
        return Call(get, then, tolerate=tolerate)

    def _search(self, name: str) -> Source:
        client = self.ex.client

        def then(found: Any) -> Iterable[Source]:
            matches = [u for u in found if str(u.get("username", "")).lower() == name]
            if not matches:
                return self._unknown(name)
            return [self._by_id(name, int(matches[0]["id"]), searched=True)]

        return Call(lambda: client.get("/users", {"username": name}, what=f"user {name}"), then)

    def _unknown(self, name: str) -> Iterable[Source]:
        log.warning(
            "roster user %r was not found: %s; only its teams.csv emails match", name, HIDDEN
        )
        self.cache.users.pop(name, None)
        self.cache.unknown[name] = self.stamp
        return ()

    def finish(self, path: Path) -> int:
        """Forget names no longer on the roster and write raw/users/users.parquet."""
        roster = set(self.usernames)
        self.cache.users = {k: v for k, v in self.cache.users.items() if k in roster}
        self.cache.unknown = {k: v for k, v in self.cache.unknown.items() if k in roster}
        for name, stamp in sorted(self.cache.unknown.items()):
            if stamp != self.stamp:
                log.warning("roster user %r is still not found (%s)", name, HIDDEN)
        table = [
            rows.user_to_row(record, _fetched(record, self.ex.extracted_at))
            for _, record in sorted(self.cache.users.items())
        ]
        return write_table(path, schema.USERS, table)


def _age(record: dict[str, Any]) -> str:
    return str(record.get(FETCHED_AT) or "")


def _fetched(record: dict[str, Any], default: dt.datetime) -> dt.datetime:
    value = record.get(FETCHED_AT)
    return rows.parse_time(value) or default if value else default
