"""The shared rate gate: MAX_RPM pacing, RateLimit-header pacing, a shared 429 pause, route caps."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.extract.gitlab.buckets import Bucket, Pace, Window

__all__ = ["Pace", "Quota", "Throttle", "Window", "read_quota", "route_of"]

log = logging.getLogger("leaderboard.gitlab")

#: `GET /users/:id` is limited for a non-admin token on every instance, not only gitlab.com:
#: lib/api/users.rb calls `check_rate_limit!(:users_get_by_id, scope: current_user)`, and
#: lib/gitlab/application_rate_limiter.rb allows the application setting `users_get_by_id_limit`
#: (default 300) per 10 minutes, counted in fixed windows. Its headers announce nothing.
USERS_BY_ID = "users/:id"
USERS_BY_ID_WINDOW = 600.0

#: Seconds a request may be held for a route's limit before the run says what it waits for.
NOTICE_AFTER = 10.0

#: gitlab.com's other per-route caps, which its RateLimit headers do not announce (requests,
#: seconds). Source: docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom ("Current rate
#: limits"); `/users/:id` is paced everywhere instead (USERS_BY_ID).
GITLAB_COM_ROUTE_CAPS: dict[str, tuple[int, float]] = {
    "groups/:id/projects": (600, 60.0),
    "projects/:id": (400, 60.0),
    "groups/:id": (400, 60.0),
}

_ROUTES = (
    (re.compile(r"^/users/[^/]+$"), USERS_BY_ID),
    (re.compile(r"^/groups/[^/]+/projects$"), "groups/:id/projects"),
    (re.compile(r"^/projects/[^/]+$"), "projects/:id"),
    (re.compile(r"^/groups/[^/]+$"), "groups/:id"),
)

#: Route caps are fixed windows at GitLab; a bucket allowing this burst keeps under them anyway.
_ROUTE_BURST = 5


def route_of(api_path: str) -> str | None:
    """The capped route an API path (after /api/v4, no query) belongs to, or None."""
    for pattern, name in _ROUTES:
        if pattern.match(api_path):
            return name
    return None


@dataclass(frozen=True)
class Quota:
    """What a response's RateLimit headers said: requests left and seconds until the reset."""

    limit: int | None
    remaining: int
    reset_in: float
    #: GitLab counts fixed windows: Remaining = Limit - Observed, all of it back at the reset.
    #: Otherwise (a refilling bucket, as some proxies and the simulator do) it trickles back.
    windowed: bool = True


def read_quota(headers: Mapping[str, str], wall_now: float) -> Quota | None:
    """RateLimit-Remaining and RateLimit-Reset (epoch seconds) from lower-cased headers, if sent."""
    try:
        remaining = int(headers["ratelimit-remaining"])
        reset = float(headers["ratelimit-reset"])
    except (KeyError, ValueError):
        return None
    limit = _int(headers.get("ratelimit-limit"))
    observed = _int(headers.get("ratelimit-observed"))
    windowed = limit is None or observed is None or observed + remaining == limit
    return Quota(limit, remaining, max(0.0, reset - wall_now), windowed)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _no_report(pauses: int, seconds: float) -> None:
    pass


class Throttle:
    """One per client, shared by all worker threads: `acquire` before a request, `release` after.

    Three things can hold a request back: the MAX_RPM bucket (the job's share of the cap); pacing
    from the server's RateLimit headers, which spreads what is left of the quota until the reset
    once it runs low; and a shared pause, after a 429 or an exhausted quota, that every worker
    honours once. A request to a capped route also waits for its route's bucket, which a 429 of
    that route's own limit holds alone (`route_refused`): `/users/:id` everywhere (`users_limit`
    per 10 minutes, 0 for none), the other caps on gitlab.com only.
    """

    def __init__(
        self,
        *,
        max_rpm: float | None = None,
        workers: int = 8,
        gitlab_com: bool = False,
        users_limit: int = 0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        report: Callable[[int, float], None] = _no_report,
    ) -> None:
        self._clock, self._wall, self._sleep, self._report = clock, wall, sleep, report
        self._lock = threading.Lock()
        self._workers = max(1, workers)
        self._rpm = _rpm_pace(max_rpm, self._workers) if max_rpm else None
        self._routes: dict[str, Bucket] = dict(_route_paces()) if gitlab_com else {}
        # With no limit set, the window only carries the holds of a 429 that says otherwise;
        # with one, a margin for what our clock cannot see: arrival jitter, another job's look-ups.
        users = users_limit - users_limit // 30 if users_limit > 0 else 10**9
        self._routes[USERS_BY_ID] = Window(users, USERS_BY_ID_WINDOW)
        self._notice_until: dict[str, float] = {}
        self._headers = Pace(0.0)
        self._pause_until = float("-inf")
        self._in_flight = 0
        self._held = 0  # threads currently sleeping in acquire
        self._held_since = 0.0

    @property
    def paused_until(self) -> float:
        with self._lock:
            return self._pause_until

    def acquire(self, route: str | None = None) -> None:
        """Block until this request may be sent (or raise whatever the injected sleep raises)."""
        with self._lock:
            start = self._reserve(route, self._clock())
            self._hold()
            self._notice(route, start)
        try:
            while True:
                delay = start - self._clock()
                if delay > 0:
                    self._sleep(delay)
                with self._lock:
                    now = self._clock()
                    if self._pause_until <= now:
                        self._unhold()
                        self._in_flight += 1
                        return
                    # A pause began while we waited: book again after it, so that the workers
                    # it held do not all rush out together when it ends.
                    start = self._reserve(route, now)
        except BaseException:
            with self._lock:
                self._unhold()
            raise

    def release(self, headers: Mapping[str, str] | None = None) -> None:
        """A request finished; learn from its lower-cased response headers (RateLimit-*) if any."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            quota = read_quota(headers, self._wall()) if headers else None
            if quota is not None:
                self._pace_from(quota, self._clock())

    def pause(self, seconds: float) -> bool:
        """Hold every worker for `seconds` from now (after a 429). True when this began a new pause.

        Several workers answered 429 together extend one pause rather than start one each.
        """
        with self._lock:
            return self._pause(self._clock() + max(0.0, seconds))

    def route_refused(self, route: str, retry_after: float | None, request: str) -> None:
        """A 429 of the route's own limit (`/users/:id`): hold that route alone as GitLab says
        (Retry-After, else the limit's window) and say so once per hold; other routes go on."""
        bucket = self._routes[route]
        window = bucket.window if isinstance(bucket, Window) else 60.0
        wait = retry_after if retry_after is not None else window
        with self._lock:
            until = self._clock() + max(0.0, wait)
            bucket.hold_until(until)
            if until <= self._notice_until.get(route, float("-inf")):
                return
            self._notice_until[route] = until
        self._report(1, 0.0)
        log.warning(
            "%s: HTTP 429 from %s; waiting %.0f s (%s) before more GET /%s requests; "
            "nothing else waits, and the run goes on after",
            request,
            _describe(route),
            wait,
            "its Retry-After" if retry_after is not None else "the limit's window",
            route,
        )

    def _notice(self, route: str | None, start: float) -> None:
        """Say once per hold what a request waits for when a route's own limit holds it long."""
        now = self._clock()
        if route is None or route not in self._routes or start - now < NOTICE_AFTER:
            return
        if now < self._notice_until.get(route, float("-inf")):
            return  # a hold already announced
        self._notice_until[route] = start
        log.warning(
            "waiting %.0f s before more GET /%s requests: %s", start - now, route, _describe(route)
        )

    def _reserve(self, route: str | None, now: float) -> float:
        """The first start every bucket allows (none before a pause ends), booked in all of them."""
        route_pace = self._routes.get(route) if route else None
        paces: list[Bucket] = [p for p in (self._rpm, self._headers, route_pace) if p is not None]
        start = max(now, self._pause_until)
        start = max([start, *(pace.earliest(start) for pace in paces)])
        for pace in paces:
            pace.book(start)
        return start

    def _pause(self, until: float) -> bool:
        new = until > self._pause_until and self._pause_until <= self._clock()
        self._pause_until = max(self._pause_until, until)
        if new:
            self._report(1, 0.0)
        return new

    def _pace_from(self, quota: Quota, now: float) -> None:
        """Slow down before the quota runs out, so that a 429 stays the exception.

        The headers are already stale by the requests in flight, so those are kept in reserve.
        """
        usable = quota.remaining - self._in_flight
        if quota.windowed or quota.limit is None:
            # What is left must last until the reset: spread it evenly once below half.
            if usable <= 0 and quota.reset_in > 0:
                self._pause(now + quota.reset_in)
                self._headers.interval = 0.0
            elif quota.limit is None or quota.remaining <= quota.limit / 2:
                self._headers.interval = quota.reset_in / max(usable, 1)
            else:
                self._headers.interval = 0.0
            return
        # A refilling bucket: once its buffer is low, go at the refill rate, and let it
        # refill a little when the requests in flight have eaten the rest.
        per_request = 60.0 / quota.limit
        low = quota.remaining <= max(2 * self._workers, 4)
        self._headers.interval = per_request if low else 0.0
        if usable <= 0:
            self._headers.hold_until(now + (1 - usable) * per_request)

    def _hold(self) -> None:
        if self._held == 0:
            self._held_since = self._clock()
        self._held += 1

    def _unhold(self) -> None:
        self._held -= 1
        if self._held == 0:
            # Wall time during which at least one request was held back, whatever the reason.
            seconds = self._clock() - self._held_since
            if seconds > 0:
                self._report(0, seconds)


def _describe(route: str) -> str:
    if route == USERS_BY_ID:
        return (
            "GitLab's limit on user look-ups by id for a non-admin token (users_get_by_id; "
            "LEADERBOARD_USER_LOOKUP_LIMIT per 10 minutes)"
        )
    return f"gitlab.com's cap on /{route}"


def _rpm_pace(max_rpm: float, workers: int) -> Pace:
    """MAX_RPM as a bucket: smooth pacing with a burst of about one second's share (≤ workers)."""
    per_second = max_rpm / 60.0
    burst = int(min(float(workers), max(1.0, per_second)))
    return Pace(60.0 / max_rpm, burst)


def _route_paces() -> dict[str, Pace]:
    paces = {}
    for route, (limit, window) in GITLAB_COM_ROUTE_CAPS.items():
        # The burst is taken out of the steady rate so that no window ever sees more than `limit`.
        paces[route] = Pace(window / (limit - _ROUTE_BURST), _ROUTE_BURST)
    return paces
