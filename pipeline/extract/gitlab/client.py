"""The only module that speaks HTTP: one python-gitlab client, our retry loop, pages, errors."""

from __future__ import annotations

import http.client
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit

import gitlab
import gitlab.exceptions
import requests
import requests.adapters

from pipeline.config import Secret, Settings
from pipeline.errors import RequestError
from pipeline.extract.gitlab.pages import (
    API_PREFIX,
    BadBody,
    ForeignLink,
    Page,
    Target,
    decode_body,
    lower_keys,
    page_from,
    target_for,
)
from pipeline.extract.gitlab.retry import (
    Failure,
    RequestCancelled,
    RequestStats,
    Stop,
    backoff_delay,
    cancellable_sleep,
    network_failure,
    status_failure,
)
from pipeline.extract.gitlab.throttle import USERS_BY_ID, Throttle

log = logging.getLogger("leaderboard.gitlab")

__all__ = ["GitLabClient", "Page", "RequestCancelled", "RequestStats"]


class GitLabClient:
    """One per process; thread-safe for concurrent GETs. Every request goes through `_fetch`."""

    def __init__(
        self,
        settings: Settings,
        *,
        base_url: str,
        token: Secret,
        workers: int | None = None,
        max_rpm: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        wall: Callable[[], float] = time.time,
        cancel_event: threading.Event | None = None,
    ) -> None:
        self._settings = settings
        self._base_url = base_url.rstrip("/")
        self._rng = rng or random.Random()  # jitter, not security
        self._wall = wall
        self._cancel = cancel_event or threading.Event()
        self._sleep = cancellable_sleep(sleep, self._cancel, time.sleep)
        self._local = threading.local()
        self.workers = workers or settings.workers
        self.stats = RequestStats()
        rpm = max_rpm if max_rpm is not None else settings.shard_rpm
        self.throttle = Throttle(
            max_rpm=rpm,
            workers=self.workers,
            gitlab_com=(urlsplit(self._base_url).hostname or "").lower() == "gitlab.com",
            users_limit=settings.user_lookup_limit,
            clock=clock,
            wall=wall,
            sleep=self._sleep,
            report=lambda pauses, seconds: self.stats.count_wait(pauses=pauses, seconds=seconds),
        )
        # requests takes (connect, read); python-gitlab passes it through but types it as float.
        self._timeout = cast(Any, (settings.connect_timeout, settings.read_timeout))
        self.gl = gitlab.Gitlab(
            self._base_url,
            private_token=token.reveal(),
            session=self._session(),
            timeout=self._timeout,
        )

    def _session(self) -> requests.Session:
        session = _TokenSafeSession()
        # Pool sized to the workers so keep-alive connections are reused; no urllib3 retries,
        # so every retry happens (and is counted) in one place: `_fetch`.
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=self.workers, pool_maxsize=self.workers, max_retries=0
        )
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        # Proxy settings are read once here rather than from the environment on every request
        # (requests re-reads it per call, a measurable share of the client's CPU per page).
        session.proxies.update(requests.utils.get_environ_proxies(self._base_url))
        session.trust_env = False
        if self._settings.ca_bundle:  # what requests would have taken from the environment
            session.verify = self._settings.ca_bundle
        # python-gitlab raises on non-2xx without the headers; the hook keeps this thread's last
        # response so Retry-After and RateLimit-* are still in hand after the exception.
        session.hooks["response"].append(self._remember)
        return session

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._local.response = response

    def version(self) -> str:
        """The GitLab version string, e.g. "18.5.0"."""
        return str(self.get("/version", what="GitLab version")["version"])

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, what: str) -> Any:
        """One JSON document (object or list), retried."""
        _, body, _ = self._fetch(self._target(path, params), what=what, page=None, want_list=False)
        return body

    def get_page(
        self, path_or_url: str, params: Mapping[str, Any] | None = None, *, what: str, page: int
    ) -> Page:
        """One page of a listing, by API path plus params or by a `Link` URL used as is."""
        response, body, attempts = self._fetch(
            self._target(path_or_url, params), what=what, page=page, want_list=True
        )
        link = response.links.get("next", {}).get("url")
        return page_from(body, response.url, lower_keys(response.headers), link, attempts)

    def send(self, method: str, path: str, data: Mapping[str, Any], *, what: str) -> Any:
        """One POST or PUT with a JSON body (only the MR preview note writes); not retried."""
        target = self._target(path, None)
        verb = method.upper()
        try:
            self.throttle.acquire(target.route)
        except Stop:
            raise RequestCancelled(verb, target.shown_path, None, what, "cancelled", 0) from None
        headers: Mapping[str, str] | None = None
        try:
            response = self.gl.http_request(
                method.lower(),
                path,
                post_data=dict(data),
                obey_rate_limit=False,
                retry_transient_errors=False,
                timeout=self._timeout,
            )
            headers = lower_keys(response.headers)
        except gitlab.exceptions.GitlabError as exc:
            hint = "LEADERBOARD_NOTE_TOKEN needs the api scope and access to this merge request"
            reason = f"HTTP {exc.response_code}" if exc.response_code else type(exc).__name__
            raise RequestError(verb, target.shown_path, None, what, reason, 1, hint) from None
        except requests.RequestException as exc:
            failure = _network_failure(exc, self._base_url)
            raise RequestError(
                verb, target.shown_path, None, what, failure.reason, 1, failure.hint
            ) from None
        finally:
            self.throttle.release(headers)
        self.stats.count_attempt(str(response.status_code), retry=False)
        try:
            return response.json()
        except ValueError:
            raise RequestError(verb, target.shown_path, None, what, "body is not JSON", 1) from None

    def cancel(self) -> None:
        """Stop promptly: sleeping and retrying workers raise RequestCancelled instead."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def close(self) -> None:
        self.gl.session.close()

    def __enter__(self) -> GitLabClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GitLabClient({self._base_url!r}, workers={self.workers})"

    def _target(self, path_or_url: str, params: Mapping[str, Any] | None) -> Target:
        try:
            return target_for(self._base_url, path_or_url, params)
        except ForeignLink as exc:
            raise RequestError(
                "GET", str(exc), None, "a Link URL", "not a GitLab API URL", 0
            ) from None

    def _fetch(
        self, target: Target, *, what: str, page: int | None, want_list: bool
    ) -> tuple[requests.Response, Any, int]:
        attempts = max(1, self._settings.retry_attempts)
        attempt = sent = 0
        try:
            while True:
                if self._cancel.is_set():
                    raise Stop
                sent += 1
                failure, response, body = self._attempt(target, want_list, retry=sent > 1)
                if failure is None and response is not None:
                    return response, body, sent
                assert failure is not None
                if failure.status == 429 and target.route == USERS_BY_ID:
                    # users_get_by_id (lib/api/users.rb): wait as GitLab says; not an attempt
                    where = f"GET {target.shown_path} ({what})"
                    self.throttle.route_refused(USERS_BY_ID, failure.retry_after, where)
                    continue
                attempt += 1
                if not failure.retryable or attempt == attempts:
                    raise failure.error("GET", target.shown_path, page, what, attempt)
                self._wait_before_retry(failure, attempt, target, what, page)
        except Stop:
            reason = "cancelled because another request failed"
            raise RequestCancelled("GET", target.shown_path, page, what, reason, attempt) from None

    def _attempt(
        self, target: Target, want_list: bool, *, retry: bool
    ) -> tuple[Failure | None, requests.Response | None, Any]:
        self.throttle.acquire(target.route)
        headers: Mapping[str, str] | None = None
        try:
            response = self._send(target)
            headers = lower_keys(response.headers)
            failure, body = None, _decode(response, headers, want_list)
        except _Failed as failed:
            failure, response, body = failed.failure, None, None
            headers = failed.headers
        finally:
            self.throttle.release(headers)
        self.stats.count_attempt(failure.kind if failure else "200", retry=retry)
        return failure, response, body

    def _send(self, target: Target) -> requests.Response:
        """One GET through python-gitlab with its own retries off; failures become `_Failed`."""
        self._local.response = None
        try:
            return self.gl.http_request(
                "get",
                target.path_or_url,
                query_data=target.params,
                obey_rate_limit=False,
                retry_transient_errors=False,
                timeout=self._timeout,
            )
        except gitlab.exceptions.GitlabError as exc:
            # GitlabHttpError, or GitlabAuthenticationError (401), which is not a subclass of it.
            last: requests.Response | None = self._local.response
            status = exc.response_code or (last.status_code if last is not None else None)
            if status is None:
                raise _Failed(Failure(f"failed ({type(exc).__name__})", False), None) from None
            headers = lower_keys(last.headers) if last is not None else {}
            message = str(exc.error_message) if exc.error_message else None
            api_path = target.shown_path.removeprefix(API_PREFIX)
            failure = status_failure(status, headers, self._wall(), message, api_path)
            raise _Failed(failure, headers) from None
        except requests.RequestException as exc:
            raise _Failed(_network_failure(exc, self._base_url), None) from None
        except http.client.HTTPException as exc:
            raise _Failed(Failure(f"protocol error ({type(exc).__name__})", True), None) from None
        finally:
            self._local.response = None  # no page kept alive between requests

    def _wait_before_retry(
        self, failure: Failure, attempt: int, target: Target, what: str, page: int | None
    ) -> None:
        delay = backoff_delay(
            attempt - 1, self._settings.backoff_base, self._settings.backoff_cap, self._rng
        )
        where = target.shown_path + (f" page {page}" if page is not None else "")
        tries = self._settings.retry_attempts
        log.warning(
            "GET %s (%s): %s on attempt %d of %d", where, what, failure.reason, attempt, tries
        )
        if failure.status == 429:
            # One pause for every worker, until the server's reset (else our backoff).
            wait = failure.server_wait if failure.server_wait is not None else delay
            self.throttle.pause(wait)
            return
        if failure.server_wait is not None:
            delay = max(delay, min(failure.server_wait, self._settings.backoff_cap))
        self.stats.count_backoff(delay)
        self._sleep(delay)


class _TokenSafeSession(requests.Session):
    """requests drops `Authorization` on a redirect to another host but not `PRIVATE-TOKEN`."""

    def rebuild_auth(
        self, prepared_request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]
        old, new = response.request.url or "", prepared_request.url or ""
        if self.should_strip_auth(old, new):  # type: ignore[no-untyped-call]
            for name in ("PRIVATE-TOKEN", "JOB-TOKEN", "Authorization"):
                prepared_request.headers.pop(name, None)


class _Failed(Exception):
    """Internal: carries a classified failure (and headers, if any) out of `_send`/`_decode`."""

    def __init__(self, failure: Failure, headers: Mapping[str, str] | None) -> None:
        super().__init__(failure.reason)
        self.failure = failure
        self.headers = headers


def _decode(response: requests.Response, headers: Mapping[str, str], want_list: bool) -> Any:
    try:
        return decode_body(response.content, headers, want_list)
    except BadBody as bad:
        raise _Failed(Failure(str(bad), True), headers) from None


def _network_failure(exc: requests.RequestException, base_url: str) -> Failure:
    """Name a network failure by its class names and text, never showing the text itself."""
    kinds = frozenset(cls.__name__ for cls in type(exc).__mro__)
    return network_failure(kinds, f"{type(exc).__name__} {exc!r}", base_url)
