"""One paged listing: follows `Link rel="next"`, fetches ahead by page number (how far: `ahead`),
checks completeness.

Where GitLab ends a listing short (the maximum offset for discovery, the count cap for events;
see `slices`) it goes on as a new slice from its last item; page numbers and checks are per
slice. Pages may arrive in any order but are handled strictly in page order, so each check
compares a page with the one before it. The list ends at the first page without `Link
rel="next"`, or at a page its `stop_after` rule accepts (the rest was read before); pages
fetched past it (the price of fetching ahead) are dropped and counted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from pipeline.errors import CompletenessError
from pipeline.extract.ahead import AheadEstimate
from pipeline.extract.gitlab.client import GitLabClient, Page
from pipeline.extract.gitlab.pages import page_url_has_number, response_date, with_page
from pipeline.extract.scheduler import Request, Source
from pipeline.extract.slices import OffsetLimit, Slicer, Slices
from pipeline.extract.store.manifest import ListingRecord
from pipeline.extract.store.writer import PartWriter

log = logging.getLogger("leaderboard.extract")

Item = Mapping[str, Any]


@dataclass
class ListingSpec:
    """What to list and where the rows go."""

    what: str  # the error line's label, e.g. "commits of acme/app"
    path: str  # /projects/12/repository/commits
    params: dict[str, Any]
    record: ListingRecord
    #: where the rows go, with `to_table` making them; None: items go to `collect` instead
    writer: PartWriter | None
    to_table: Callable[[Sequence[Item]], pa.Table] | None = None
    #: called on the scheduler's thread with each new item of a listing without a writer
    collect: Callable[[Item], None] | None = None
    #: the field that orders the listing ("created_at" ascending, "committed_date" descending),
    #: used to estimate how many pages remain; None: no fetching ahead
    order_field: str | None = None
    descending: bool = False
    #: the oldest time the listing reaches (its since/updated_after), for descending estimates
    floor: dt.datetime | None = None
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    #: write an empty part when the listing has no rows (a full listing replaces its folder)
    keep_empty: bool = True
    #: called on the scheduler's thread with the listing once its last page is handled
    on_done: Callable[[Listing], Iterable[Source]] | None = None
    #: called on the scheduler's thread with each page's new rows as Arrow, in page order
    #: (listings with a writer only)
    observe: Callable[[pa.Table], None] | None = None
    #: how the listing goes on where GitLab ends it short (see `slices`); None: never cut
    slicer: Slicer | None = None
    #: the run's maximum offset, shared by every listing (None: no limit)
    limit: OffsetLimit | None = None
    #: called on the scheduler's thread with each page's items in page order; True: that page
    #: is the last one needed (a newest-first listing reached what the last run read), so the
    #: listing ends there, checked as "watermark" (its x-total counts pages it has no need of)
    stop_after: Callable[[Sequence[Mapping[str, Any]]], bool] | None = None
    #: called with a failure of the listing's very first page; a reason (GitLab's message)
    #: when the failure means there is nothing to list (a project without a repository): the
    #: listing then ends empty, checked as "no-repository"; None: the failure fails the run
    nothing_to_list: Callable[[BaseException], str | None] | None = None


class Listing:
    """A `Source` for the scheduler; all state is touched only on the scheduler's thread."""

    def __init__(self, client: GitLabClient, spec: ListingSpec, *, ahead: bool = True) -> None:
        self.client = client
        self.spec = spec
        self.ahead = ahead and spec.order_field is not None
        self.first_item: Mapping[str, Any] | None = None
        #: the current slice's query and the records of all of them (see `slices`)
        self.slices = Slices(spec.what, spec.params, spec.record, spec.slicer, spec.limit)
        #: the server's `Date` on page 1: its own clock, for watermarks
        self.server_time: dt.datetime | None = None
        self.fetched_ahead = 0
        self.overshoot = 0
        self._seen: set[Any] = set()
        self._buffer: dict[int, tuple[Page, pa.Table | None]] = {}
        self._max_requested = 0  # pages 1.._max_requested were sent, but for those in _again
        self._again: set[int] = set()  # pages to fetch again (a repeated page)
        self._urls: dict[int, str] = {}  # page -> the Link URL that named it
        self._template: str | None = None
        self._proven = 1  # highest page known to exist
        self._handled = 0  # pages handled, in order
        self._prev_ids: list[Any] | None = None
        self._refetched: set[int] = set()
        self._end: int | None = None
        self.stopped = False  # ended by `stop_after`, not at the end of the list
        self._total_pages: int | None = None
        #: how many pages are left, from the dates of the pages so far (see `ahead`)
        self.estimate = AheadEstimate(
            spec.order_field, descending=spec.descending, floor=spec.floor, now=spec.now
        )
        self._finished = False

    # -- Source -------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self._finished

    def ready(self, limit: int) -> list[Request]:
        if self._finished:
            return []
        cut = self.slices.cut()
        if cut is not None and 0 < cut <= self._handled and self._end is None:
            self._next_slice()  # handled up to a limit lowered since (a 405 of any listing)
            cut = self.slices.cut()
        due = sorted(self._again)
        last = self._proven if cut is None else min(self._proven, cut)
        due += range(self._max_requested + 1, last + 1)
        return [self._request(p) for p in due[:limit]]

    def speculate(self) -> Request | None:
        if self._finished or not self.ahead or self._template is None:
            return None
        page = self._max_requested + 1
        cut = self.slices.cut()
        if page > self._frontier() or (cut is not None and page > cut):
            return None
        self.fetched_ahead += 1
        return self._request(page)

    def remaining(self) -> float:
        if self._finished:
            return 0.0
        return max(0.0, self._frontier() - self._max_requested)

    def on_result(self, tag: Any, result: Any) -> Iterable[Source]:
        slice_no, page_no = tag
        if slice_no != self.slices.number:
            self.overshoot += 1  # a page of a slice already cut, never needed
            return ()
        if self._finished:
            return ()  # past the end: counted when the listing finished
        result, converted = result
        self.spec.record.retries += result.attempts - 1
        self._buffer[page_no] = (result, converted)
        if result.next_url:
            self._urls[page_no + 1] = result.next_url
            if self._template is None and page_url_has_number(result.next_url):
                self._template = result.next_url
            self._proven = max(self._proven, page_no + 1)
        return self._drain()

    def on_error(self, tag: Any, error: BaseException) -> Iterable[Source] | None:
        slice_no, page_no = tag
        # A page fetched ahead past the end of the list (or of a slice since cut) was never needed.
        stale = self._finished or slice_no != self.slices.number
        if stale or (self._end is not None and page_no > self._end):
            return ()
        absent = self.spec.nothing_to_list
        reason = absent(error) if absent and (slice_no, page_no) == (0, 1) else None
        if reason is not None:
            return self._absent(reason)
        return self._past_max_offset(page_no, getattr(error, "max_offset", None))

    def _absent(self, reason: str) -> Iterable[Source]:
        """Nothing to list (a project without a repository): end empty, saying why."""
        record = self.spec.record
        record.check, record.reason = "no-repository", reason
        record.slices[-1].check = "no-repository"
        log.info("%s: %s; nothing to list", self.spec.what, reason)
        self._end = 1
        return self._close()

    def _past_max_offset(self, page_no: int, stated: int | None) -> Iterable[Source] | None:
        """A 405 that states GitLab's maximum offset: lower the run's limit and cut this listing
        below it (the pages already fetched are kept). Anything else fails the run (None)."""
        if not self.slices.learn(stated):
            return None
        cut = self.slices.cut()
        if cut is None or cut < 1 or page_no <= cut:
            return None  # refused a page the stated limit allows: nothing safe to do
        self.overshoot += 1
        return ()

    # -- paging -------------------------------------------------------------------------------

    def _request(self, page: int) -> Request:
        self._again.discard(page)
        self._max_requested = max(self._max_requested, page)
        spec, client, convert = self.spec, self.client, self._converted
        tag = (self.slices.number, page)
        if page == 1:
            params = dict(self.slices.params)
            return Request(
                self,
                tag,
                lambda: convert(client.get_page(spec.path, params, what=spec.what, page=1)),
            )
        url = self._urls.get(page) or with_page(self._template or "", page)
        return Request(
            self, tag, lambda: convert(client.get_page(url, None, what=spec.what, page=page))
        )

    def _next_slice(self) -> None:
        """Cut the listing here: the next slice starts at the last item (see `slices`)."""
        self.slices.advance(self._handled)
        self._buffer.clear()
        self._again, self._urls, self._refetched = set(), {}, set()
        self._max_requested, self._proven, self._handled = 0, 1, 0
        self._template, self._prev_ids, self._end, self._total_pages = None, None, None, None

    def _converted(self, page: Page) -> tuple[Page, pa.Table | None]:
        """Runs on the worker that fetched the page: its Arrow table is built there, so the
        scheduler's thread only checks, dedups and appends (it keeps the pool fed)."""
        to_table = self.spec.to_table
        return page, None if to_table is None else to_table(page.items)

    def _drain(self) -> Iterable[Source]:
        while not self._finished and self._handled + 1 in self._buffer:
            page_no = self._handled + 1
            page, converted = self._buffer.pop(page_no)
            if not self._accept(page_no, page, converted):
                return ()
            if self._end is not None:
                return self._finish()
        return ()

    def _accept(self, page_no: int, page: Page, converted: pa.Table | None) -> bool:
        """Check one page in order and write its new rows; False when it must be fetched again."""
        what = self.spec.what
        if page.x_next_page and not page.next_url:
            raise CompletenessError(
                f"{what}: page {page_no} has x-next-page {page.x_next_page} but no "
                'Link rel="next"; the list cannot be followed safely'
            )
        ids = [item.get("id") for item in page.items]
        if ids and ids == self._prev_ids:
            if page_no in self._refetched:
                raise CompletenessError(
                    f"{what}: page {page_no} repeats page {page_no - 1} even when fetched "
                    "again; the server's paging is unreliable, nothing was written"
                )
            log.warning(
                "%s: page %d repeats page %d; fetching it again", what, page_no, page_no - 1
            )
            self._refetched.add(page_no)
            self._again.add(page_no)
            return False
        if page_no == 1:
            self._on_first(page)
        self._write(page, converted)
        self._handled = page_no
        self._prev_ids = ids
        if self.spec.stop_after is not None and self.spec.stop_after(page.items):
            self._end, self.stopped = page_no, True
        elif not page.next_url:
            if self.slices.reached_cap():
                self._next_slice()  # an events range the count cap may have ended short
            else:
                self._end = page_no
        elif page_no >= (self.slices.cut() or page_no + 1):
            self._next_slice()
        return True

    def _on_first(self, page: Page) -> None:
        self.spec.record.slices[-1].x_total = page.x_total
        self._total_pages = page.x_total_pages
        if self.slices.number > 0:
            return
        self.spec.record.x_total = page.x_total
        if page.x_total is not None and not self.slices.counts_unseen:
            self.spec.record.check = "x-total"
        self.server_time = response_date(page.headers.get("date"))
        if page.items:
            self.first_item = page.items[0]
        self.estimate.first_page(page.items)

    def _write(self, page: Page, table: pa.Table | None) -> None:
        fresh: list[int] = []
        known: list[Any] = []  # ids the listing already had (a slice's edge item)
        for index, item in enumerate(page.items):
            key = item.get("id")
            if key not in self._seen:
                self._seen.add(key)
                fresh.append(index)
            else:
                known.append(key)
        self.slices.add_page(page.items, len(fresh), known)
        new = None
        if table is not None and self.spec.writer is not None:
            keep = pa.array(fresh, type=pa.int64())  # typed, for a page of repeats only
            new = table if len(fresh) == table.num_rows else table.take(keep)
            self.spec.writer.add_table(new)
        elif self.spec.collect is not None:
            for index in fresh:
                self.spec.collect(page.items[index])
        if self.spec.observe is not None and new is not None:
            self.spec.observe(new)
        self.spec.record.pages += 1
        self.spec.record.rows += len(fresh)
        self.estimate.page_handled(self.spec.record.pages, page.items)

    def _finish(self) -> Iterable[Source]:
        self.spec.record.check = "watermark" if self.stopped else self.spec.record.check
        self.slices.finish()  # checks x-total slice by slice (the first covers the listing)
        return self._close()

    def _close(self) -> Iterable[Source]:
        assert self._end is not None
        self.overshoot += self._max_requested - self._end
        self._finished = True
        self._seen = set()
        self._buffer.clear()
        if self.spec.writer is not None:
            self.spec.writer.close(keep_empty=self.spec.keep_empty)
        if self.spec.on_done is not None:
            return self.spec.on_done(self)
        return ()

    # -- how far to fetch ahead ------------------------------------------------------------------

    def _frontier(self) -> int:
        """The last page worth requesting now: x-total-pages, else an estimate from dates."""
        if self._end is not None:
            return self._end
        if self._total_pages is not None:
            return max(self._total_pages, self._proven)
        return self.estimate.frontier(self._proven)
