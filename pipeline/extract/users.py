"""Roster users' GitLab records (`/users/:id`: state, public_email, bot), cached in data/state.

Looked up once the MR, issue and event listings are done, when the cache lacks a record or it
is due for a refresh (the oldest first, within a per-run budget under GitLab's users_get_by_id
limit). The id comes from
the cache, else from the MRs, issues and review events already extracted, else from
`/users?username=`: blocked, banned and LDAP-blocked accounts are hidden from a non-admin
token's username search (app/finders/users_finder.rb, User::FORBIDDEN_SEARCH_STATES) but
`/users/:id` returns them with their state (app/policies/user_policy.rb), and their past work
names them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline import schema
from pipeline.errors import RequestError
from pipeline.extract.authors import TABLES, Parts, Seen, raw_parts, seen_users
from pipeline.extract.extraction import Extraction
from pipeline.extract.listing import Listing
from pipeline.extract.scheduler import Call, Request, Source
from pipeline.extract.store.state import UserCache
from pipeline.extract.store.writer import write_table
from pipeline.roster import notices
from pipeline.times import format_utc, parse_optional

log = logging.getLogger("leaderboard.extract")

FETCHED_AT = "_fetched_at"


def budget(limit: int) -> int:
    """`/users/:id` look-ups one run plans for: well under GitLab's limit per 10 minutes (0:
    none), so a run stays under it with room for a retry or another job's look-ups."""
    return limit - limit // 6 if limit > 0 else 1 << 30


class UserResolver:
    """Finds the GitLab record of every roster name it can; a name found nowhere is `unknown`."""

    def __init__(
        self,
        ex: Extraction,
        usernames: Sequence[str],
        cache: UserCache,
        lines: Mapping[str, str] | None = None,
    ) -> None:
        self.ex = ex
        self.usernames = sorted({name.lower() for name in usernames})
        self.cache = cache
        #: username -> `FILE:LINE:username` of its first roster line, for warnings
        self.lines = dict(lines or {})
        self.stamp = format_utc(ex.extracted_at, "seconds")
        self.looked_up = 0
        #: look-ups more than GitLab lets through in one window: run after every listing
        self.deferred: list[Source] = []
        self._pending: deque[Listing] = deque()
        self._listed = 0

    def gate(self, planned: Callable[[], bool]) -> Source:
        """A source the scheduler holds from the start. Once `planned()` (every project's
        listings started) and every MR, issue and event listing is done, it reads their user
        columns on a worker and starts the look-ups, which fill the workers the commits
        listings leave idle; if they are more than GitLab's limit lets through at once, they
        wait for the end of the run's listings instead (`deferred`), so no listing waits."""
        return _Gate(lambda: planned() and self._items_done(), self._to_scan, self._start)

    def _items_done(self) -> bool:
        """Every MR, issue and event listing so far is done (asked after every answer: cheap)."""
        listings = self.ex.listings
        self._pending.extend(x for x in listings[self._listed :] if _names_users(self.ex, x))
        self._listed = len(listings)
        while self._pending and self._pending[0].done:
            self._pending.popleft()
        return not self._pending

    def _missing(self) -> list[str]:
        return [name for name in self.usernames if name not in self.cache.users]

    def _to_scan(self) -> tuple[Parts, list[str]]:
        """This run's parts of the tables that name users, and the earlier ones it keeps."""
        ex = self.ex
        parts = raw_parts(ex.staging_raw)
        if not ex.full:
            old = ex.settings.extract_dir / "raw"
            for table, key in sorted(ex.kept - ex.replaced):
                if table in parts:
                    parts[table] += sorted((old / table / key).glob("*.parquet"))
        return parts, self._missing()

    def _start(self, seen: Mapping[str, Seen]) -> list[Source]:
        """The look-ups: due refreshes within the budget, then the names without a record."""
        users, unknown = self.cache.users, self.cache.unknown
        missing = self._missing()
        due = [n for n in self.usernames if n in users and self._due(users[n])]
        due.sort(key=lambda n: _age(users[n]))  # the oldest records first
        room = max(0, budget(self.ex.settings.user_lookup_limit) - len(missing))
        if len(due) > room:
            log.info("refreshing %d of %d user records due; the rest on later runs", room, len(due))
        out = [self._by_id(n, int(users[n]["id"])) for n in due[:room]]
        for name in missing:
            if name in seen:
                out.append(self._by_id(name, seen[name].id))
            elif name not in unknown or self._due_stamp(unknown[name]):
                out.append(self._search(name))
        self.looked_up = len(out)
        limit = self.ex.settings.user_lookup_limit
        if limit and len(out) > limit - limit // 30:
            log.warning(
                "looking up %d users after the listings: GitLab allows a non-admin token %d user "
                "look-ups by id per 10 minutes (users_get_by_id), so this waits about %d minutes",
                len(out),
                limit,
                10 * ((len(out) - 1) // (limit - limit // 30)),
            )
            self.deferred = out
            return []
        return out

    def _due(self, record: dict[str, Any]) -> bool:
        return self._due_stamp(str(record.get(FETCHED_AT) or ""))

    def _due_stamp(self, stamp: str) -> bool:
        """Full runs refresh every record (within the budget); others those older than
        LEADERBOARD_FULL_REFRESH_DAYS."""
        when = parse_optional(stamp)
        age = dt.timedelta(days=self.ex.settings.full_refresh_days)
        return self.ex.full or when is None or self.ex.extracted_at - when >= age

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
        notices.unknown(name, self.lines.get(name)).log(log)
        self.cache.users.pop(name, None)
        self.cache.unknown[name] = self.stamp
        return ()

    def finish(self, path: Path) -> int:
        """Forget names no longer on the roster and write raw/users/users.parquet."""
        roster = set(self.usernames)
        self.cache.users = {k: v for k, v in self.cache.users.items() if k in roster}
        self.cache.unknown = {k: v for k, v in self.cache.unknown.items() if k in roster}
        for name, stamp in sorted(self.cache.unknown.items()):
            if stamp != self.stamp:  # not looked up again this run: still not found
                notices.unknown(name, self.lines.get(name)).log(log)
        table = [
            user_row(record, _fetched(record, self.ex.extracted_at))
            for _, record in sorted(self.cache.users.items())
        ]
        return write_table(path, schema.USERS, table)


def user_row(item: Mapping[str, Any], extracted_at: dt.datetime) -> dict[str, Any]:
    """A record of /users/:id (which, unlike /users?username=, has public_email and bot) as a
    row of `schema.USERS`."""
    return {
        "id": item["id"],
        "username": item.get("username"),
        "public_email": item.get("public_email") or None,
        "bot": item.get("bot"),
        "_extracted_at": extracted_at,
    }


def _age(record: dict[str, Any]) -> str:
    return str(record.get(FETCHED_AT) or "")


def _fetched(record: dict[str, Any], default: dt.datetime) -> dt.datetime:
    value = record.get(FETCHED_AT)
    return parse_optional(value) or default


def _names_users(ex: Extraction, listing: Listing) -> bool:
    """A listing writing MRs, issues or events (whose items name users)."""
    writer = listing.spec.writer
    return writer is not None and writer.path.relative_to(ex.staging_raw).parts[0] in TABLES


class _Gate:
    """One request (reading the user columns, on a worker) once `open()`; then the look-ups."""

    def __init__(
        self,
        open: Callable[[], bool],
        to_scan: Callable[[], tuple[Parts, list[str]]],
        then: Callable[[Mapping[str, Seen]], list[Source]],
    ) -> None:
        self._open, self._to_scan, self._then = open, to_scan, then
        self._issued = self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def ready(self, limit: int) -> list[Request]:
        if self._issued or limit < 1 or not self._open():
            return []
        self._issued = True
        parts, names = self._to_scan()
        return [Request(self, None, lambda: seen_users(parts, names))]

    def speculate(self) -> Request | None:
        return None

    def remaining(self) -> float:
        return 0.0

    def on_result(self, tag: Any, result: Any) -> Iterable[Source]:
        self._done = True
        return self._then(result)

    def on_error(self, tag: Any, error: BaseException) -> Iterable[Source] | None:
        return None
