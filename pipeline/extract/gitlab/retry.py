"""What to retry and how long to wait: backoff with full jitter, Retry-After, request counters."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from pipeline.errors import RequestError

#: Statuses retried with backoff (rule 2). 429 is retried too, but paced by the shared throttle.
RETRYABLE_STATUSES = frozenset({408, 500, 502, 503, 504, *range(520, 531)})

#: GitLab's 405 body: "Offset pagination has a maximum allowed offset of 50000 for requests
#: that return objects of type Project. Remaining records can be retrieved using keyset ..."
_STATED_MAX_OFFSET = re.compile(r"maximum allowed offset of (\d+)", re.IGNORECASE)

#: The longest a server may make us wait in one go; past it something is wrong with the server.
MAX_SERVER_WAIT = 3600.0


class RequestCancelled(RequestError):
    """Raised instead of retrying or sleeping once the client was cancelled (another failure)."""


@dataclass(frozen=True)
class Failure:
    """One failed attempt: the reason shown in the error line, and whether it is worth retrying."""

    reason: str
    retryable: bool
    status: int | None = None
    hint: str = ""
    #: Seconds the server asked us to wait (Retry-After / RateLimit-Reset), if it said.
    server_wait: float | None = None
    #: Seconds a 429's own Retry-After asked for (not RateLimit-Reset, the global limiter's).
    retry_after: float | None = None
    #: The maximum offset a 405 stated: the listing is cut below it instead of failing.
    max_offset: int | None = None
    #: GitLab's message in the error body ("404 Repository Not Found"), for callers that
    #: tell one 404 from another
    message: str | None = None

    def error(
        self, method: str, path: str, page: int | None, what: str, attempts: int
    ) -> RequestError:
        """The run's error for this failure, after `attempts` attempts."""
        return RequestError(
            method,
            path,
            page,
            what,
            self.reason,
            attempts,
            self.hint,
            max_offset=self.max_offset,
            message=self.message,
        )

    @property
    def kind(self) -> str:
        """How the counters file it: the status code, or the failure ("read timeout")."""
        return str(self.status) if self.status is not None else self.reason


def backoff_delay(retry: int, base: float, cap: float, rng: random.Random) -> float:
    """Capped exponential backoff with full jitter: uniform(0, min(cap, base * 2**retry))."""
    return rng.uniform(0.0, min(cap, base * 2.0**retry))


def _http_date(value: str) -> dt.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _clamp(seconds: float) -> float:
    return min(max(seconds, 0.0), MAX_SERVER_WAIT)


def server_wait(headers: Mapping[str, str], wall_now: float) -> float | None:
    """Seconds to wait as the server says: Retry-After (seconds or HTTP date), else RateLimit-Reset.

    Dates and epochs are taken relative to the response's own `Date` header when it has one, so
    a skewed local clock does not stretch or cut the wait; else to `wall_now` (epoch seconds).
    `headers` must have lower-case keys.
    """
    retry_after = retry_after_wait(headers, wall_now)
    if retry_after is not None:
        return retry_after
    reset = headers.get("ratelimit-reset", "").strip()
    if reset:
        try:
            return _clamp(float(reset) - _server_now(headers, wall_now))
        except ValueError:
            return None
    return None


def retry_after_wait(headers: Mapping[str, str], wall_now: float) -> float | None:
    """Seconds the `Retry-After` header asks for (seconds or an HTTP date), if it is there."""
    retry_after = headers.get("retry-after", "").strip()
    if not retry_after:
        return None
    try:
        return _clamp(float(retry_after))
    except ValueError:
        when = _http_date(retry_after)
        return None if when is None else _clamp(when.timestamp() - _server_now(headers, wall_now))


def _server_now(headers: Mapping[str, str], wall_now: float) -> float:
    date = _http_date(headers.get("date", ""))
    return wall_now if date is None else date.timestamp()


def stated_max_offset(message: str | None) -> int | None:
    """The maximum offset a 405's message states, or None when it states none."""
    found = _STATED_MAX_OFFSET.search(message or "")
    return int(found.group(1)) if found else None


#: A group or project named in the settings: `/groups/acme%2Fweb`, `/projects/42`.
_NAMED = re.compile(r"/(groups|projects)/([^/]+)")


def not_found_hint(api_path: str) -> str:
    """What a 404 on one of the first requests means for the settings (else nothing).

    GitLab answers 404, never 403, for a group or project the token may not see, so that
    existence does not leak (lib/api/helpers.rb, `find_group!`/`find_project!` ->
    `not_found!`): one hint covers both causes.
    """
    if api_path == "/version":
        return (
            "no GitLab API answers at GITLAB_URL: set it to the instance's address, "
            "e.g. https://gitlab.example.com"
        )
    named = _NAMED.fullmatch(api_path)
    if named is None:
        return ""
    kind, ref = named.group(1), unquote(named.group(2))
    variable = "LEADERBOARD_GROUPS" if kind == "groups" else "LEADERBOARD_PROJECTS"
    example = "acme/web" if kind == "groups" else "acme/web/app"
    return (
        f"{kind[:-1]} {ref!r} does not exist or the token cannot see it: check {variable} "
        f"(the full path in its URL, e.g. {example}, or its numeric id) and that the token's "
        "user is a member of it"
    )


def status_failure(
    status: int,
    headers: Mapping[str, str],
    wall_now: float,
    message: str | None = None,
    api_path: str = "",
) -> Failure:
    """Classify a non-2xx status: retried (rule 2) or failed at once (a token hint on 401/403;
    on a 405, the maximum offset its message states, if it states one; on a 404 of a group or
    project named in the settings, which setting to check)."""
    reason = f"HTTP {status}"
    if status == 404:
        hint = not_found_hint(api_path)
        return Failure(reason, False, status, hint=hint, message=message)
    if status == 405:
        return Failure(reason, False, status, max_offset=stated_max_offset(message))
    if status == 429:
        wait, own = server_wait(headers, wall_now), retry_after_wait(headers, wall_now)
        return Failure(reason, True, status, server_wait=wait, retry_after=own)
    if status in RETRYABLE_STATUSES:
        return Failure(reason, True, status, server_wait=server_wait(headers, wall_now))
    if status == 401:
        hint = (
            "check GITLAB_TOKEN: it may be expired, revoked or mistyped; "
            "it needs the read_api scope"
        )
        return Failure(reason, False, status, hint=hint)
    if status == 403:
        hint = (
            "check GITLAB_TOKEN: it needs the read_api scope "
            "and access to this group or project (is it expired?)"
        )
        return Failure(reason, False, status, hint=hint, message=message)
    return Failure(reason, False, status, message=message)


def network_failure(kinds: frozenset[str], text: str, base_url: str) -> Failure:
    """Classify a network failure from its exception's class names (requests' and urllib3's,
    told by the client) and text. Resets, refusals, timeouts, cut bodies and proxy failures are
    retried (the last with the setting to check); a host that does not resolve and a
    certificate not trusted are settings to fix, so they fail at once naming the setting."""
    chain = text.lower()
    host = urlsplit(base_url).hostname or base_url
    if "nameresolutionerror" in chain or "failed to resolve" in chain:
        hint = f"check the host name in GITLAB_URL (is {host!r} spelt right?) and the DNS"
        return Failure(f"host {host!r} not found (DNS)", False, hint=hint)
    if "SSLError" in kinds and "certificate verify failed" in chain:
        hint = (
            f"the certificate of {host!r} is not trusted: if it is signed by your own "
            "certificate authority, set REQUESTS_CA_BUNDLE to that CA's PEM file"
        )
        return Failure("TLS certificate not trusted", False, hint=hint)
    if "ProxyError" in kinds:  # retried: a proxy may fail for a moment; the hint is for the end
        hint = "check HTTPS_PROXY/HTTP_PROXY, or list the host in NO_PROXY"
        return Failure("the proxy failed", True, hint=hint)
    if "ConnectTimeout" in kinds:
        return Failure("connect timeout", True)
    if "ReadTimeout" in kinds or "read timed out" in chain:
        return Failure("read timeout", True)
    if kinds & {"ChunkedEncodingError", "ContentDecodingError"}:
        return Failure("truncated body", True)
    if "ConnectionError" in kinds:
        if "refused" in chain:
            hint = f"check the host and port in GITLAB_URL, and that {host!r} is reachable"
            return Failure("connection refused", True, hint=hint)
        if "incompleteread" in chain:
            return Failure("truncated body", True)
        return Failure("connection reset", True)
    return Failure(f"request failed ({text.split(' ', 1)[0]})", False)


class RequestStats:
    """Thread-safe counters of one client's requests, for the manifest and the benchmark."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.retried = 0
        self.rate_limit_waits = 0
        self.seconds_waiting = 0.0
        self.seconds_backoff = 0.0
        self.by_status: dict[str, int] = {}

    def count_attempt(self, outcome: str, *, retry: bool) -> None:
        """One request sent; `outcome` is its status or failure kind ("200", "read timeout")."""
        with self._lock:
            self.total += 1
            self.retried += int(retry)
            self.by_status[outcome] = self.by_status.get(outcome, 0) + 1

    def count_backoff(self, seconds: float) -> None:
        with self._lock:
            self.seconds_backoff += seconds

    def count_wait(self, *, pauses: int = 0, seconds: float = 0.0) -> None:
        """The throttle reports its shared pauses and the wall seconds it held requests back."""
        with self._lock:
            self.rate_limit_waits += pauses
            self.seconds_waiting += seconds

    def as_dict(self) -> dict[str, object]:
        """A consistent snapshot, in the manifest's `requests` shape plus the extra counters."""
        with self._lock:
            return {
                "total": self.total,
                "retried": self.retried,
                "rate_limit_waits": self.rate_limit_waits,
                "seconds_waiting": round(self.seconds_waiting, 3),
                "seconds_backoff": round(self.seconds_backoff, 3),
                "by_status": dict(sorted(self.by_status.items())),
            }

    def __repr__(self) -> str:
        return f"RequestStats({self.as_dict()})"


def cancellable_sleep(
    sleep: Callable[[float], None], cancel: threading.Event, default_sleep: Callable[[float], None]
) -> Callable[[float], None]:
    """A sleep that returns early and raises `_Stop` once `cancel` is set.

    With the real `time.sleep` it waits on the event itself, so a cancel wakes sleepers at once;
    an injected (fake) sleep is called as is and the event checked after it.
    """

    def wait(seconds: float) -> None:
        if cancel.is_set():
            raise Stop
        if seconds <= 0:
            return
        if sleep is default_sleep:
            if cancel.wait(seconds):
                raise Stop
            return
        sleep(seconds)
        if cancel.is_set():
            raise Stop

    return wait


class Stop(Exception):
    """Internal: cancelled while waiting; the client turns it into RequestCancelled."""
