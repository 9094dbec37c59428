"""Backoff with full jitter, Retry-After in both forms, RateLimit-Reset, and what is retried."""

from __future__ import annotations

import random
import threading

import pytest
import requests

from pipeline.extract.gitlab.client import _network_failure
from pipeline.extract.gitlab.retry import (
    RequestStats,
    Stop,
    backoff_delay,
    cancellable_sleep,
    server_wait,
    status_failure,
)

NOW = 1_800_000_000.0  # Fri, 15 Jan 2027 08:00:00 GMT
NOW_DATE = "Fri, 15 Jan 2027 08:00:00 GMT"


def test_backoff_is_full_jitter_under_a_capped_exponential() -> None:
    rng, same = random.Random(3), random.Random(3)
    delays = [backoff_delay(n, base=0.5, cap=4.0, rng=rng) for n in range(6)]
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert delays == [same.uniform(0.0, c) for c in ceilings]
    assert all(0.0 <= d <= c for d, c in zip(delays, ceilings, strict=True))


def test_backoff_spreads_over_the_whole_range() -> None:
    rng = random.Random(0)
    delays = [backoff_delay(10, base=1.0, cap=8.0, rng=rng) for _ in range(2000)]
    assert min(delays) < 0.1 and max(delays) > 7.9


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "Fri, 15 Jan 2027 08:00:12 GMT"}, 12.0),
        # The date is read against the response's own Date header, not our clock.
        (
            {
                "retry-after": "Fri, 15 Jan 2027 09:00:12 GMT",
                "date": "Fri, 15 Jan 2027 09:00:00 GMT",
            },
            12.0,
        ),
        ({"retry-after": "Fri, 15 Jan 2027 07:59:00 GMT"}, 0.0),  # in the past: go now
        ({"ratelimit-reset": str(int(NOW) + 30)}, 30.0),
        ({"retry-after": "3", "ratelimit-reset": str(int(NOW) + 30)}, 3.0),
        ({"retry-after": "soon", "ratelimit-reset": str(int(NOW) + 30)}, 30.0),
        ({"retry-after": "99999"}, 3600.0),  # clamped
        ({}, None),
        ({"ratelimit-reset": "later"}, None),
    ],
)
def test_server_wait(headers: dict[str, str], wait: float | None) -> None:
    assert server_wait(headers, NOW) == wait


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 520, 525, 530])
def test_transient_statuses_are_retried(status: int) -> None:
    failure = status_failure(status, {"retry-after": "2"}, NOW)
    assert (failure.reason, failure.retryable, failure.server_wait) == (f"HTTP {status}", True, 2.0)


@pytest.mark.parametrize("status", [400, 404, 405, 409, 422, 501, 505, 519, 531])
def test_other_statuses_fail_at_once(status: int) -> None:
    failure = status_failure(status, {}, NOW)
    assert (failure.reason, failure.retryable, failure.hint) == (f"HTTP {status}", False, "")


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_hint_at_the_token(status: int) -> None:
    failure = status_failure(status, {}, NOW)
    assert not failure.retryable
    assert "GITLAB_TOKEN" in failure.hint and "read_api" in failure.hint


def test_stats_snapshot() -> None:
    stats = RequestStats()
    stats.count_attempt("200", retry=False)
    stats.count_attempt("503", retry=False)
    stats.count_attempt("200", retry=True)
    stats.count_wait(pauses=1, seconds=2.5)
    stats.count_backoff(0.25)
    assert stats.as_dict() == {
        "total": 3,
        "retried": 1,
        "rate_limit_waits": 1,
        "seconds_waiting": 2.5,
        "seconds_backoff": 0.25,
        "by_status": {"200": 2, "503": 1},
    }


def test_cancel_wakes_a_real_sleeper_at_once() -> None:
    import time

    cancel = threading.Event()
    wait = cancellable_sleep(time.sleep, cancel, time.sleep)
    timer = threading.Timer(0.05, cancel.set)
    timer.start()
    with pytest.raises(Stop):
        wait(600.0)  # returns as soon as cancel is set, not after ten minutes
    with pytest.raises(Stop):
        wait(0.0)


def test_cancel_stops_a_fake_sleeper_after_its_sleep() -> None:
    cancel = threading.Event()
    slept: list[float] = []

    def fake(seconds: float) -> None:
        slept.append(seconds)
        cancel.set()

    wait = cancellable_sleep(fake, cancel, lambda s: None)
    with pytest.raises(Stop):
        wait(1.0)
    assert slept == [1.0]


def _failure_of(exc: Exception) -> tuple[str, bool, str]:
    """What the client makes of a requests exception (the same classification, the same text)."""
    assert isinstance(exc, requests.RequestException)
    found = _network_failure(exc, "https://gitlab.example.com")
    return found.reason, found.retryable, found.hint


def _requests_errors() -> dict[str, Exception]:
    return {
        "dns": requests.ConnectionError(
            "HTTPSConnectionPool(host='gitlab.example.com', port=443): Max retries exceeded "
            "(Caused by NameResolutionError(\"Failed to resolve 'gitlab.example.com' ([Errno -2] "
            'Name or service not known)"))'
        ),
        "untrusted": requests.exceptions.SSLError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
        ),
        "tls-eof": requests.exceptions.SSLError("EOF occurred in violation of protocol (_ssl.c)"),
        "proxy": requests.exceptions.ProxyError("Unable to connect to proxy"),
        "refused": requests.ConnectionError("[Errno 111] Connection refused"),
        "reset": requests.ConnectionError("Connection aborted. ConnectionResetError(104)"),
        "read": requests.exceptions.ReadTimeout("Read timed out. (read timeout=60)"),
        "connect": requests.exceptions.ConnectTimeout("Connection to host timed out"),
        "cut": requests.exceptions.ChunkedEncodingError("IncompleteRead(12 bytes read)"),
    }


@pytest.mark.parametrize(
    ("name", "reason", "retried", "hint"),
    [
        ("dns", "host 'gitlab.example.com' not found (DNS)", False, "check the host name in "
         "GITLAB_URL (is 'gitlab.example.com' spelt right?) and the DNS"),
        ("untrusted", "TLS certificate not trusted", False, "the certificate of "
         "'gitlab.example.com' is not trusted: if it is signed by your own certificate "
         "authority, set REQUESTS_CA_BUNDLE to that CA's PEM file"),
        ("tls-eof", "connection reset", True, ""),
        ("proxy", "the proxy failed", True,
         "check HTTPS_PROXY/HTTP_PROXY, or list the host in NO_PROXY"),
        ("refused", "connection refused", True, "check the host and port in GITLAB_URL, and "
         "that 'gitlab.example.com' is reachable"),
        ("reset", "connection reset", True, ""),
        ("read", "read timeout", True, ""),
        ("connect", "connect timeout", True, ""),
        ("cut", "truncated body", True, ""),
    ],
)  # fmt: skip
def test_network_failures_that_are_settings_fail_at_once_naming_the_setting(
    name: str, reason: str, retried: bool, hint: str
) -> None:
    """A name that does not resolve or a certificate not trusted is a setting to fix: no 10 s
    of retries; what a network does for a moment (a reset, a proxy blip) is retried."""
    assert _failure_of(_requests_errors()[name]) == (reason, retried, hint)
