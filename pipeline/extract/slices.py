"""GitLab's maximum offset: how far offset pages may go, and how a listing continues past it.

GitLab refuses (HTTP 405) an offset page when `page * per_page` exceeds its maximum offset
(`offset_limit_exceeded?` in `lib/api/helpers/pagination_strategies.rb`), so a slice of a
listing may use pages 1 .. limit // per_page. A listing that reaches that page with more to
come is cut there and continued as a new slice that starts at its last item: commits (newest
first) with `until` = that commit's `committed_date`, MRs and issues (oldest first) with
`created_after` = its `created_at`, review events with `after` = the day before its
`created_at` (oldest first; a date, exclusive) or `before` = the day after it (newest first, in
incremental runs; a date, exclusive), project discovery (by id) as keyset pages after its id.
GitLab's date filters are inclusive, so the edge instant is read by both slices and the
listing's dedup by id drops the second copy: nothing at an edge is lost or doubled.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.errors import CompletenessError
from pipeline.extract.rows import parse_time
from pipeline.extract.store.manifest import ListingRecord, SliceRecord

log = logging.getLogger("leaderboard.extract")


class OffsetLimit:
    """The run's maximum offset: LEADERBOARD_MAX_OFFSET, lowered when GitLab states a lower one.

    Shared by every listing of a run and touched only on the scheduler's thread.
    """

    def __init__(self, rows: int) -> None:
        self.rows = rows  # 0: no limit
        self.learned = False

    def max_page(self, per_page: int) -> int | None:
        """The last offset page GitLab serves (page * per_page <= limit); None: no limit."""
        return self.rows // per_page if self.rows > 0 else None

    def learn(self, stated: int, what: str) -> bool:
        """A 405 (of listing `what`) stated the server's limit; True when it is lower than the
        one in use, which it then replaces for the rest of the run."""
        if self.rows and stated >= self.rows:
            return False
        self.rows, self.learned = stated, True
        log.warning(
            "%s: GitLab's maximum offset is %d rows; listings are cut into slices below it",
            what,
            stated,
        )
        return True


@dataclass(frozen=True)
class Slicer:
    """How one kind of listing continues after its last item once a slice is cut."""

    field: str  # the item field the listing is ordered by
    param: str  # the query parameter that starts the next slice at that value
    #: True: the next slice is a keyset listing (no offset, so never cut again)
    keyset: bool = False
    #: the parameter takes a date and is exclusive (the Events API's `after` and `before`):
    #: days from the item's UTC day to the bound, -1 (the next slice starts after the day
    #: before) or +1 (it ends before the day after); the item's day is read again, deduplicated
    #: by id. None: the parameter takes the item's instant
    day_shift: int | None = None

    def bound(self, item: Mapping[str, Any]) -> str | None:
        """The next slice's start as the query parameter's value; None if the item lacks it."""
        value = item.get(self.field)
        if value is None:
            return None
        if self.keyset:
            return str(value)
        try:
            when = parse_time(value)
        except ValueError:
            return None
        if when is None:
            return None
        if self.day_shift is not None:
            day = when.astimezone(dt.UTC).date() + dt.timedelta(days=self.day_shift)
            return day.isoformat()
        return format_instant(when)

    def next_params(
        self, params: Mapping[str, Any], item: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The query of the slice that continues after `item`; None when it cannot move on
        (no value, or the same bound as this slice: more items share one instant than a slice
        can hold)."""
        bound = self.bound(item)
        if bound is None or params.get(self.param) == bound:
            return None
        out = {k: v for k, v in params.items() if k != "page"}
        if self.keyset:
            out |= {"pagination": "keyset", "order_by": "id", "sort": "asc"}
        out[self.param] = bound
        return out

    def is_offset(self, params: Mapping[str, Any]) -> bool:
        """Keyset pages have no offset, so only offset slices are ever cut."""
        return params.get("pagination") != "keyset"


#: Commits come newest first (git log order): the next slice ends at the last one's date.
COMMITS = Slicer("committed_date", "until")
#: MRs and issues are listed `created_at asc`: the next slice starts at the last one's date.
ITEMS = Slicer("created_at", "created_after")
#: Discovery is listed `order_by=id&sort=asc`: the rest comes as keyset pages after the last id.
PROJECTS = Slicer("id", "id_after", keyset=True)
#: Events are listed `sort=asc` (by created_at); `after` takes a date and is exclusive.
EVENTS = Slicer("created_at", "after", day_shift=-1)
#: Incremental events are listed `sort=desc`; `before` takes a date and is exclusive too.
EVENTS_DESC = Slicer("created_at", "before", day_shift=1)


def format_instant(when: dt.datetime) -> str:
    """UTC ISO 8601, with the fraction only when there is one: truncating it would move an
    inclusive `until` before the item it was taken from."""
    when = when.astimezone(dt.UTC)
    if when.microsecond:
        return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def check_slices(what: str, record: ListingRecord, fresh: list[int]) -> None:
    """Each slice whose first page carried x-total must be covered by the rows from it to the
    end: its own distinct ids plus those the later slices added (not when the listing stopped
    at its watermark: the totals count what it had no need to read). The last slice's check
    says how its end was proven."""
    pieces = record.slices
    for index, piece in enumerate(pieces if record.check != "watermark" else []):
        covered = piece.rows + sum(fresh[index + 1 :])
        if piece.x_total is not None and covered < piece.x_total:
            raise CompletenessError(
                f"{what}: slice {index + 1} ({piece.start or 'first'}) said x-total "
                f"{piece.x_total} but {covered} distinct rows came from it on; items were "
                "skipped while paging"
            )
    last = pieces[-1]
    if record.check in ("range", "watermark"):
        last.check = record.check
    else:
        last.check = "x-total" if last.x_total is not None else "end-of-list"


class Slices:
    """The slices of one listing: the current slice's query and number, the ids each slice
    returned (for its record and checks) and where the next one starts. Scheduler thread only."""

    def __init__(
        self,
        what: str,
        params: Mapping[str, Any],
        record: ListingRecord,
        slicer: Slicer | None,
        limit: OffsetLimit | None,
    ) -> None:
        self.what, self.record, self.slicer, self.limit = what, record, slicer, limit
        self.params: dict[str, Any] = dict(params)  # the current slice's query
        self.number = 0
        self._known: set[Any] = set()  # ids of the current slice the listing already had
        self._fresh = [0]  # per slice: ids new to the whole listing
        self.last_item: Mapping[str, Any] | None = None
        record.slices.append(SliceRecord({}))

    @property
    def per_page(self) -> int:
        return int(self.params.get("per_page", 20))

    def cut(self) -> int | None:
        """The last page the current slice may ask for (GitLab's maximum offset); None: any."""
        if self.limit is None or (
            self.slicer is not None and not self.slicer.is_offset(self.params)
        ):
            return None
        return self.limit.max_page(self.per_page)

    def learn(self, stated: int | None) -> bool:
        """A 405 stated GitLab's maximum offset: True when this listing can be cut below it."""
        if stated is None or self.limit is None or self.slicer is None or stated < self.per_page:
            return False
        self.limit.learn(stated, self.what)
        return True

    def add_page(self, items: Sequence[Mapping[str, Any]], fresh: int, known: list[Any]) -> None:
        """A page handled in order: how many of its ids were new to the listing, and the ids it
        already had. The slice's distinct rows are its new ids plus the known ones it returned
        (its edge items): only those few are kept, not every id of the slice."""
        self._fresh[-1] += fresh
        self._known.update(known)
        piece = self.record.slices[-1]
        piece.pages, piece.rows = piece.pages + 1, self._fresh[-1] + len(self._known)
        if items:
            self.last_item = items[-1]

    def advance(self, page_no: int) -> None:
        """Cut here: the next slice starts at the last item (raises when it cannot move on)."""
        slicer, item = self.slicer, self.last_item
        params = None if slicer is None or item is None else slicer.next_params(self.params, item)
        if slicer is None or params is None:
            raise CompletenessError(
                f"{self.what}: page {page_no} reaches GitLab's maximum offset and the listing "
                "cannot be cut into a slice after it (too many items share one instant, or it "
                "has no order); nothing was written"
            )
        self.record.slices[-1].check = "continued"
        self.record.slices.append(SliceRecord({slicer.param: params[slicer.param]}))
        self._fresh.append(0)
        self.number, self.params, self._known = self.number + 1, params, set()

    def finish(self) -> None:
        check_slices(self.what, self.record, self._fresh)
        self._known, self.last_item = set(), None
