"""Behaviour knobs: concurrency cap, per-token rate limit, seeded and scripted faults, stats."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from pipeline.sim.org.config import SimConfig
from pipeline.sim.paging import PageRequest, Response, error
from pipeline.sim.render import dumps

#: The listing routes GitLab refuses past its maximum offset, and the type its message names:
#: only keyset-capable types are refused (`offset_paginator` in
#: `lib/api/helpers/pagination_strategies.rb`: `Gitlab::Pagination::Keyset` supports Project,
#: `Gitlab::Pagination::CursorBasedKeyset` Group and User); commits, merge requests, issues and
#: events never are.
LISTED_TYPES = {
    "group_projects": "Project",
    "users_search": "User",
}


class Stats:
    """Request counters; `in_flight` counts requests being handled, queued ones included."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.items = 0
            self.by_route: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.rate_limited = 0
            self.in_flight = 0
            self.peak_in_flight = 0

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def record(self, route: str, status: int, items: int, fault: str | None) -> None:
        with self._lock:
            self.requests += 1
            self.items += items
            self.by_route[route] += 1
            self.by_status[str(status)] += 1
            if fault:
                self.faults[fault] += 1
            if status == 429 and fault is None:
                self.rate_limited += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "items": self.items,
                "by_route": dict(self.by_route),
                "by_status": dict(self.by_status),
                "faults": dict(self.faults),
                "rate_limited": self.rate_limited,
                "in_flight": self.in_flight,
                "peak_in_flight": self.peak_in_flight,
            }


class Gate:
    """The server's concurrency cap: wait for a slot ("queue") or refuse at once (502/503)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0

    def enter(self, cfg: SimConfig) -> bool:
        with self._cond:
            cap = cfg.max_concurrency
            if cap > 0 and self._active >= cap:
                if cfg.concurrency_mode != "queue":
                    return False
                self._cond.wait_for(
                    lambda: cfg.max_concurrency <= 0 or self._active < cfg.max_concurrency
                )
            self._active += 1
            return True

    def leave(self) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify_all()


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    seen: deque[float]


class RateLimiter:
    """Token bucket per token: `rpm` per minute refill, `burst` capacity (rpm when 0)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def check(self, cfg: SimConfig, token: str) -> tuple[bool, dict[str, str]]:
        """Admit or refuse one request; returns the RateLimit-* headers (plus 429 extras)."""
        rpm = cfg.rate_limit_rpm
        cap = float(cfg.rate_limit_burst or rpm)
        rate = rpm / 60.0
        now = time.time()
        with self._lock:
            b = self._buckets.setdefault(token, _Bucket(cap, now, deque()))
            b.tokens = min(cap, b.tokens + (now - b.stamp) * rate)
            b.stamp = now
            while b.seen and b.seen[0] <= now - 60:
                b.seen.popleft()
            b.seen.append(now)
            ok = b.tokens >= 1.0
            if ok:
                b.tokens -= 1.0
            full_at = now + (cap - b.tokens) / rate
            headers = {
                "RateLimit-Name": "throttle_authenticated_api",
                "RateLimit-Limit": str(rpm),
                "RateLimit-Observed": str(len(b.seen)),
                "RateLimit-Remaining": str(int(b.tokens)),
                "RateLimit-Reset": str(math.ceil(full_at)),
            }
            if not ok:
                wait = (1.0 - b.tokens) / rate
                headers["Retry-After"] = (
                    formatdate(now + wait + 1, usegmt=True)
                    if cfg.rate_limit_http_date
                    else str(max(1, math.ceil(wait)))
                )
                headers["RateLimit-ResetTime"] = formatdate(now + wait, usegmt=True)
        return ok, headers


class Faults:
    """Decides which fault (if any) a response gets: scripted rules first, then seeded chance."""

    def __init__(self, cfg: SimConfig) -> None:
        self._lock = threading.Lock()
        self.load(cfg)

    def load(self, cfg: SimConfig) -> None:
        """(Re)arm scripted rules and reseed the random faults from the config."""
        with self._lock:
            self._rules = [dict(rule) for rule in cfg.scripted_faults]
            for rule in self._rules:
                rule["left"] = int(rule.get("times", 1))
                rule["skip"] = int(rule.get("after", 0))
            self._rng = random.Random(cfg.fault_seed)

    def pick(self, cfg: SimConfig, resp: Response) -> str | None:
        with self._lock:
            for rule in self._rules:
                if rule["left"] > 0 and _matches(rule, resp):
                    if rule["skip"] > 0:
                        rule["skip"] -= 1
                        continue
                    rule["left"] -= 1
                    return str(rule["kind"])
            if cfg.fault_rate <= 0 or (cfg.fault_routes and resp.route not in cfg.fault_routes):
                return None
            if resp.route.startswith("_sim") or self._rng.random() >= cfg.fault_rate:
                return None
            return str(self._rng.choice(cfg.fault_kinds))

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._rules if r["left"] > 0]


def _matches(rule: dict[str, Any], resp: Response) -> bool:
    """A rule matches when every field it names equals the response's (project: path or id)."""
    if "route" in rule and rule["route"] != resp.route:
        return False
    if "page" in rule and int(rule["page"]) != (resp.page or 1):
        return False
    for key, names in (
        ("project", (resp.project, str(resp.project_id))),
        ("group", (resp.group, str(resp.group_id))),
    ):
        if key in rule and str(rule[key]) not in names:
            return False
    return True


def past_max_offset(cfg: SimConfig, req: PageRequest, resp: Response) -> Response | None:
    """GitLab's 405 for an offset page past the maximum offset (`page * per_page > limit`, as
    `offset_limit_exceeded?` in `lib/api/helpers/pagination_strategies.rb`), for the listings
    of `LISTED_TYPES` only; keyset pages have no offset."""
    kind = LISTED_TYPES.get(resp.route)
    if cfg.max_offset <= 0 or kind is None or resp.status != 200:
        return None
    if req.params.get("pagination") == "keyset" or req.page * req.per_page <= cfg.max_offset:
        return None
    refused = error(
        405,
        f"Offset pagination has a maximum allowed offset of {cfg.max_offset} for requests "
        f"that return objects of type {kind}. "
        "Remaining records can be retrieved using keyset pagination.",
        key="error",
    )
    refused.route, refused.page = resp.route, req.page
    refused.project, refused.project_id = resp.project, resp.project_id
    refused.group, refused.group_id = resp.group, resp.group_id
    return refused


class UsersGetById:
    """GitLab's `users_get_by_id` application rate limit on `GET /users/:id` for a non-admin.

    `lib/api/users.rb` calls `check_rate_limit!(:users_get_by_id, scope: current_user)` unless the
    caller can read all resources, on every instance; `lib/gitlab/application_rate_limiter.rb`
    sets its threshold from the application setting `users_get_by_id_limit` (default 300) over
    10 minutes, counts in fixed windows (`Time.now.to_i.divmod(interval)`), increments the count
    on every request, refused ones included, and refuses once the count exceeds the threshold
    (a threshold of 0 turns it off). The 429 is `render_api_error!({error: ...}, 429)`; the newest
    `lib/api/helpers/rate_limiter.rb` adds `Retry-After` = the interval, older ones send none.
    """

    MESSAGE = "This endpoint has been requested too many times. Try again later."

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = {}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def check(self, cfg: SimConfig, token: str) -> Response | None:
        """Count one request; the 429 to answer instead when it is over the limit, else None."""
        threshold, interval = cfg.users_get_by_id_limit, int(cfg.users_get_by_id_interval)
        if threshold <= 0 or interval <= 0:
            return None
        period = int(self._clock()) // interval
        with self._lock:
            key = (token, period)
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= period}
            self._counts[key] = count = self._counts.get(key, 0) + 1
        if count <= threshold:
            return None
        refused = Response(429, dumps({"message": {"error": self.MESSAGE}}), route="user")
        if cfg.users_get_by_id_retry_after:
            refused.headers["Retry-After"] = str(interval)
        return refused
