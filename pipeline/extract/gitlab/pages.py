"""Pure helpers of the HTTP edge: where a request goes (shown path, route) and what a page says."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from pipeline.extract.gitlab.throttle import route_of

try:  # decoding pages is the extractor's largest CPU cost; orjson does it ~3x faster
    import orjson
except ImportError:  # pragma: no cover - the stdlib decoder gives the same values
    orjson = None  # type: ignore[assignment]

log = logging.getLogger("leaderboard.gitlab")

API_PREFIX = "/api/v4"


@dataclass(frozen=True)
class Page:
    """One page of a listing with the headers that say where the list goes next."""

    items: list[dict[str, Any]]
    url: str
    next_url: str | None  # Link rel="next", absolute
    x_total: int | None
    x_total_pages: int | None
    x_next_page: str | None  # the raw header: "" on the last page, None when not sent
    x_page: int | None
    headers: Mapping[str, str]  # lower-cased response headers
    attempts: int = 1  # requests it took, so the manifest can say how many were retries


@dataclass(frozen=True)
class Target:
    """Where a request goes: what python-gitlab is given, and the path shown in error lines."""

    path_or_url: str
    params: dict[str, Any] | None
    shown_path: str  # /api/v4/..., relative to the instance, never the query string
    route: str | None  # a route with its own cap on gitlab.com (throttle.route_of)


class ForeignLink(ValueError):
    """A Link URL that does not point into a GitLab API at all."""


def target_for(base_url: str, path_or_url: str, params: Mapping[str, Any] | None) -> Target:
    """An API path ("/projects/12/...") on `base_url`, or an absolute Link URL used as is."""
    base_path = urlsplit(base_url).path.rstrip("/")
    if path_or_url.startswith(("http://", "https://")):
        path_or_url = on_origin(base_url, path_or_url)
        path = urlsplit(path_or_url).path
    else:
        path = urlsplit(base_url + API_PREFIX + path_or_url).path
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :]
    api_path = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path
    return Target(path_or_url, dict(params or {}) or None, path, route_of(api_path))


def on_origin(base_url: str, url: str) -> str:
    """`url` moved onto base_url's scheme, host and port when it names another origin.

    A GitLab with a misconfigured external_url (or behind a proxy) sends Link URLs on another
    origin; following them there would send the token where the user never pointed it.
    """
    ours, theirs = urlsplit(base_url), urlsplit(url)
    if (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc):
        return url
    api_at = theirs.path.find(API_PREFIX + "/")
    if api_at < 0:
        raise ForeignLink(theirs.path)
    log.warning("a Link URL names another origin; following it on GITLAB_URL instead")
    path = ours.path.rstrip("/") + theirs.path[api_at:]
    return theirs._replace(scheme=ours.scheme, netloc=ours.netloc, path=path).geturl()


class BadBody(ValueError):
    """A 2xx body that cannot be the answer: cut short, not JSON, or not the list asked for."""


def decode_body(content: bytes, headers: Mapping[str, str], want_list: bool) -> Any:
    """The JSON of a 2xx body, checked against Content-Length (headers lower-cased)."""
    length = headers.get("content-length", "")
    plain = "content-encoding" not in headers  # else the length counts compressed bytes
    if plain and length.isdigit() and len(content) < int(length):
        raise BadBody("truncated body")
    try:
        body = _loads(content)
    except ValueError:
        raise BadBody("body is not JSON") from None
    if want_list and not isinstance(body, list):
        raise BadBody("body is not a JSON list")
    return body


def _loads(content: bytes) -> Any:
    """orjson where it can; the stdlib decoder for what orjson refuses but JSON allows (lone
    surrogate escapes, integers past 64 bits, NaN), so both read every body the same."""
    if orjson is not None:
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    return json.loads(content)


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def page_from(
    items: list[dict[str, Any]],
    url: str,
    headers: Mapping[str, str],
    next_link: str | None,
    attempts: int = 1,
) -> Page:
    """A Page from the response URL, its lower-cased headers and its Link rel="next" (if any)."""
    return Page(
        items=items,
        url=url,
        next_url=urljoin(url, next_link) if next_link else None,
        x_total=_int(headers.get("x-total")),
        x_total_pages=_int(headers.get("x-total-pages")),
        x_next_page=headers.get("x-next-page"),
        x_page=_int(headers.get("x-page")),
        headers=headers,
        attempts=attempts,
    )


def response_date(value: str | None) -> dt.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(dt.UTC) if parsed is not None and parsed.tzinfo else None


def page_url_has_number(url: str) -> bool:
    """Offset paging names the page; a keyset cursor cannot be fetched ahead."""
    return any(k == "page" for k, _ in parse_qsl(urlsplit(url).query))


def with_page(url: str, page: int) -> str:
    """A `Link` URL of the same listing, pointed at another page number."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    query.append(("page", str(page)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
