"""Responses and GitLab's offset pagination (x-* headers and the Link header)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from pipeline.sim.render import dumps

TOTAL_CAP = 10_000


@dataclass
class Response:
    """What a route answers: status, body, headers; listings also keep their page's items."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    items: list[bytes] | None = None
    route: str = "unknown"
    project: str | None = None
    project_id: int | None = None
    group: str | None = None
    group_id: int | None = None
    page: int | None = None
    content_type: str = "application/json"


def error(status: int, message: str, key: str = "message") -> Response:
    """A GitLab-style JSON error body."""
    return Response(status, dumps({key: message}))


def join_items(items: list[bytes]) -> bytes:
    """A JSON array from pre-serialised items."""
    return b"[" + b",".join(items) + b"]"


def int_param(params: dict[str, str], name: str, default: int) -> int:
    """An integer query parameter; junk falls back to the default like GitLab's coercion."""
    try:
        return int(params.get(name, default))
    except ValueError:
        return default


@dataclass
class PageRequest:
    """Where a listing was asked for: absolute base URL (no query) and its query parameters."""

    base_url: str
    path: str
    params: dict[str, str]
    multi: dict[str, list[str]] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return max(1, int_param(self.params, "page", 1))

    @property
    def per_page(self) -> int:
        per_page = int_param(self.params, "per_page", 20)
        return 20 if per_page < 1 else min(per_page, 100)

    def url(self, page: int) -> str:
        """This listing's URL for another page, repeating every other query parameter."""
        pairs = [(k, v) for k, vs in self.multi.items() if k != "page" for v in vs]
        if "per_page" not in self.multi:
            pairs.append(("per_page", str(self.per_page)))
        pairs.append(("page", str(page)))
        return f"{self.base_url}{self.path}?{urlencode(pairs)}"


def paginate(
    req: PageRequest,
    count: int,
    fetch: Callable[[int, int], list[bytes]],
    with_total: bool = True,
    next_if_full: bool = False,
    count_cap: int | None = None,
) -> Response:
    """A page of a listing of `count` rows; `fetch(start, stop)` returns that slice's JSON items.

    `next_if_full` is the commits listing's rule (it never counts): a full page always announces
    a next page, which may then be empty.

    `count_cap` is the Events API's rule (`paginated_filtered_by_user_visibility` in
    `app/finders/events_finder.rb`): the count stops at cap + 1, pages and links follow that
    count and go no further (a page asked for past it still holds rows), and X-Total,
    X-Total-Pages and `rel="last"` are dropped once the count reaches the cap
    (`paginatable_array_exceeds_count?` in `lib/gitlab/pagination/offset_pagination.rb`).
    """
    page, per_page = req.page, req.per_page
    start = (page - 1) * per_page
    items = fetch(start, min(start + per_page, count)) if start < count else []
    counted = count if count_cap is None else min(count, count_cap + 1)
    total_pages = max(1, -(-counted // per_page))
    has_next = len(items) == per_page if next_if_full else start + per_page < counted
    if count_cap is not None and counted >= count_cap:
        with_total = False
    headers = {
        "x-page": str(page),
        "x-per-page": str(per_page),
        "x-next-page": str(page + 1) if has_next else "",
        "x-prev-page": str(page - 1) if page > 1 else "",
    }
    show_total = with_total and counted <= TOTAL_CAP
    if show_total:
        headers["x-total"] = str(counted)
        headers["x-total-pages"] = str(total_pages)
    links = []
    if page > 1:
        links.append(f'<{req.url(min(page - 1, total_pages))}>; rel="prev"')
    if has_next:
        links.append(f'<{req.url(page + 1)}>; rel="next"')
    links.append(f'<{req.url(1)}>; rel="first"')
    if show_total:
        links.append(f'<{req.url(total_pages)}>; rel="last"')
    headers["Link"] = ", ".join(links)
    return Response(200, join_items(items), headers, items=items, page=page)


def keyset_page(
    req: PageRequest, keys: list[int], fetch: Callable[[int, int], list[bytes]], desc: bool
) -> Response:
    """A keyset page (`pagination=keyset`, ordered by id): the rows after the `id_after` cursor
    (`id_before` when descending). No x-* headers and no offset; a full page links the next
    one by cursor (which may come back empty), as GitLab's keyset pager does."""
    cursor = "id_before" if desc else "id_after"
    start = 0
    raw = req.params.get(cursor)
    if raw:
        if not raw.isdigit():
            return error(400, f"{cursor} is invalid", key="error")
        bound = int(raw)
        start = next(
            (i for i, key in enumerate(keys) if (key < bound if desc else key > bound)), len(keys)
        )
    stop = min(start + req.per_page, len(keys))
    items = fetch(start, stop)
    headers: dict[str, str] = {}
    if len(items) == req.per_page:
        pairs = [(k, v) for k, vs in req.multi.items() if k not in ("page", cursor) for v in vs]
        if "per_page" not in req.multi:
            pairs.append(("per_page", str(req.per_page)))
        pairs.append((cursor, str(keys[stop - 1])))
        headers["Link"] = f'<{req.base_url}{req.path}?{urlencode(pairs)}>; rel="next"'
    return Response(200, join_items(items), headers, items=items, page=None)
