"""SimConfig: what the simulator generates (profile, scale, seed, now) and its behaviour knobs."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field, fields
from typing import Any

FAULT_KINDS = (
    "405",
    "408",
    "429",
    "500",
    "502",
    "503",
    "504",
    *(str(code) for code in range(520, 531)),
    "reset",
    "timeout",
    "truncated",
    "not_json",
    "repeat_page",
    "strip_link",
)

# Knobs that may change at runtime (SimServer.configure, POST /_sim/config).
KNOBS = (
    "latency_ms",
    "latency_per_item_ms",
    "max_concurrency",
    "concurrency_mode",
    "rate_limit_rpm",
    "rate_limit_burst",
    "rate_limit_http_date",
    "fault_rate",
    "fault_kinds",
    "fault_seed",
    "fault_routes",
    "hang_seconds",
    "scripted_faults",
    "max_offset",
    "events_count_cap",
    "hidden_events",
    "time_zone",
    "users_get_by_id_limit",
    "users_get_by_id_interval",
    "users_get_by_id_retry_after",
    "commit_trailers",
)


@dataclass
class SimConfig:
    """Everything the simulator needs; generation is deterministic from profile/scale/seed/now."""

    profile: str = "demo"
    scale: float = 1.0
    seed: int = 7
    now: dt.datetime | None = None
    token: str = "sim-token"  # noqa: S105 (a fixed local test token)
    host: str = "127.0.0.1"
    port: int = 0
    noreply_domain: str | None = None
    latency_ms: float = 0.0
    latency_per_item_ms: float = 0.0
    max_concurrency: int = 0
    concurrency_mode: str = "queue"
    rate_limit_rpm: int = 0
    rate_limit_burst: int = 0
    rate_limit_http_date: bool = False
    fault_rate: float = 0.0
    fault_kinds: list[str] = field(default_factory=lambda: ["503"])
    fault_seed: int = 0
    fault_routes: list[str] = field(default_factory=list)
    hang_seconds: float = 30.0
    scripted_faults: list[dict[str, Any]] = field(default_factory=list)
    #: GitLab's "max offset allowed by the REST API for offset-based pagination" (0: none)
    max_offset: int = 0
    #: the Events API's count cap (Kaminari's MAX_COUNT_LIMIT in GitLab, 10,000; lower it to
    #: test what lies past it without 10,000 events)
    events_count_cap: int = 10_000
    #: the share of events this token may not see (counted, then filtered from the page)
    hidden_events: float = 0.0
    #: the instance's time zone (`gitlab.yml` time_zone), in which the Events API's `after` and
    #: `before` dates are days: an IANA name ("America/Los_Angeles") or "UTC"
    time_zone: str = "UTC"
    #: commits carry `trailers` and `extended_trailers` (GitLab 15.x and later); off: an older
    #: GitLab whose commits have only `message`
    commit_trailers: bool = True
    #: GitLab's `users_get_by_id_limit` (GET /users/:id per interval for a non-admin; 0: off)
    users_get_by_id_limit: int = 300
    #: its window in seconds: 10 minutes on GitLab, lowerable here for tests
    users_get_by_id_interval: int = 600
    #: the newest GitLab's 429 says `Retry-After: <interval>`; older versions send none
    users_get_by_id_retry_after: bool = True

    def resolved_now(self) -> dt.datetime:
        """`now` as an aware UTC datetime (the current time when unset), truncated to seconds."""
        now = self.now or dt.datetime.now(dt.UTC)
        if now.tzinfo is None:
            raise ValueError("SimConfig.now must be timezone-aware")
        return now.astimezone(dt.UTC).replace(microsecond=0)

    def resolved_noreply(self) -> str:
        """The noreply domain: `users.noreply.<host>` unless set."""
        return self.noreply_domain or f"users.noreply.{self.host}"

    def apply(self, knobs: dict[str, Any]) -> None:
        """Set runtime knobs by name; unknown names or fault kinds raise ValueError."""
        names = {f.name for f in fields(self)}
        for key, value in knobs.items():
            if key not in KNOBS or key not in names:
                raise ValueError(f"unknown knob {key!r}; knobs: {', '.join(KNOBS)}")
            setattr(self, key, value)
        bad = [k for k in self.fault_kinds if str(k) not in FAULT_KINDS]
        bad += [
            str(r.get("kind"))
            for r in self.scripted_faults
            if str(r.get("kind")) not in FAULT_KINDS
        ]
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; kinds: {', '.join(FAULT_KINDS)}")
        if self.max_offset < 0:
            raise ValueError("max_offset must be 0 (none) or a number of rows")
        if self.events_count_cap < 1:
            raise ValueError("events_count_cap must be a positive number of events")
        if not 0.0 <= self.hidden_events < 1.0:
            raise ValueError("hidden_events must be a share from 0 up to (not including) 1")
        if self.users_get_by_id_limit < 0 or self.users_get_by_id_interval < 1:
            raise ValueError("users_get_by_id_limit must be >= 0 and its interval >= 1 second")
        if self.concurrency_mode not in ("queue", "502", "503"):
            raise ValueError("concurrency_mode must be queue, 502 or 503")
        self.zone()  # raises ValueError for an unknown zone

    def zone(self) -> dt.tzinfo:
        """The instance's time zone."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time_zone {self.time_zone!r}") from None
