"""Where GitLab stops a listing short, and how the listing goes on past it in a new slice.

Two server rules cut listings, and nothing else does:

- **The maximum offset** (HTTP 405 for `page * per_page` past the instance limit:
  `offset_limit_exceeded?` in `lib/api/helpers/pagination_strategies.rb`) refuses offset pages
  only for keyset-capable, enforced types (`lib/gitlab/pagination/keyset.rb`: Project;
  `lib/gitlab/pagination/cursor_based_keyset.rb`: Group, User). Of our listings that is project
  discovery alone, which goes on as keyset pages after its last id. Commits, merge requests,
  issues and events are never refused, so they are never cut for it (cutting commits by
  `until` would even lose a commit whose committer date is later than a descendant's).
- **The events count cap** (`app/finders/events_finder.rb`,
  `paginated_filtered_by_user_visibility`): the Events API counts at most 10,001 events,
  paginates to that count and no further (no `rel="next"` past it), and
  `lib/gitlab/pagination/offset_pagination.rb` (`paginatable_array_exceeds_count?`) drops
  `X-Total` once the count reaches 10,000. An events listing that ends without `X-Total` may
  have been stopped by the cap, so it goes on as a new range from the day of its last event;
  one that ends with `X-Total` was read to its real end. Events are filtered by day in the
  instance's time zone, which a `read_api` token cannot read: `day_after`/`day_before` choose
  days that hold in every zone GitLab allows, and the rows read twice near an edge are
  deduplicated by event id. A range that cannot move on (more than the cap within a few days)
  fails the run, naming the listing and the day.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.errors import CompletenessError
from pipeline.extract.store.manifest import ListingRecord, SliceRecord
from pipeline.times import parse_optional

log = logging.getLogger("leaderboard.extract")

#: Kaminari's MAX_COUNT_LIMIT, the Events API's count cap (`app/finders/events_finder.rb`):
#: at this count GitLab stops sending X-Total (`lib/gitlab/pagination/offset_pagination.rb`).
EVENTS_COUNT_LIMIT = 10_000

#: The UTC offsets an instance's time zone may have (`config.gitlab.time_zone`; the zone database
#: runs from UTC-12 to UTC+14): an events day bound must hold in all of them.
WESTMOST, EASTMOST = dt.timedelta(hours=-12), dt.timedelta(hours=14)


def day_after(instant: dt.datetime) -> dt.date:
    """The latest `after` date that keeps every event created at or after `instant`, whatever
    the instance's zone. GitLab keeps events created after `params[:after].end_of_day` in its
    zone (`app/finders/events_finder.rb`, `by_created_at_after`); the end of day D is latest in
    UTC-12, at D + 1 day + 12 h UTC."""
    return (instant.astimezone(dt.UTC) - dt.timedelta(days=1) + WESTMOST).date()


def day_before(instant: dt.datetime) -> dt.date:
    """The earliest `before` date that keeps every event created at or before `instant`,
    whatever the zone: GitLab keeps events created before `params[:before].beginning_of_day`
    (`by_created_at_before`), which is earliest in UTC+14, at D - 14 h UTC."""
    return (instant.astimezone(dt.UTC) + EASTMOST).date() + dt.timedelta(days=1)


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
    """How one kind of listing continues after its last item once a slice ends short.

    Keyset slicers serve listings GitLab refuses past the maximum offset (project discovery);
    day slicers serve events listings, which the count cap ends short.
    """

    field: str  # the item field the listing is ordered by
    param: str  # the query parameter that starts the next slice at that value
    #: True: the next slice is a keyset listing (no offset, so never cut again)
    keyset: bool = False
    #: an events range: the next one's date from the last event's time (`day_after` when the
    #: listing is oldest first, `day_before` when newest first)
    day: Callable[[dt.datetime], dt.date] | None = None
    #: the listing is newest first: each next slice's bound must be lower than the last one's
    descending: bool = False

    @property
    def count_capped(self) -> bool:
        """True for events, whose X-Total is capped and counts events the token cannot see."""
        return self.day is not None

    def bound(self, item: Mapping[str, Any]) -> str | None:
        """The next slice's start as the query parameter's value; None if the item lacks it."""
        value = item.get(self.field)
        if value is None:
            return None
        if self.keyset:
            return str(value)
        try:
            when = parse_optional(value)
        except ValueError:
            return None
        if when is None or self.day is None:
            return None
        return self.day(when).isoformat()

    def next_params(
        self, params: Mapping[str, Any], item: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The query of the slice that continues after `item`; None when it cannot move on
        (no value, or no further than this slice's bound: more items share it than one slice
        holds)."""
        bound = self.bound(item)
        if bound is None or not self._moves_on(params.get(self.param), bound):
            return None
        out = {k: v for k, v in params.items() if k != "page"}
        if self.keyset:
            out |= {"pagination": "keyset", "order_by": "id", "sort": "asc"}
        out[self.param] = bound
        return out

    def _moves_on(self, current: Any, bound: str) -> bool:
        if current is None:
            return True
        key: Callable[[Any], Any] = int if self.keyset else str
        if self.descending:
            return bool(key(bound) < key(current))
        return bool(key(bound) > key(current))


#: Discovery is listed `order_by=id&sort=asc`: past the maximum offset the rest comes as keyset
#: pages after the last id.
PROJECTS = Slicer("id", "id_after", keyset=True)
#: Full runs list events `sort=asc`: a capped range goes on `after` its last event's day.
EVENTS = Slicer("created_at", "after", day=day_after)
#: Incremental runs list events `sort=desc`: a capped range goes on `before` that day.
EVENTS_DESC = Slicer("created_at", "before", day=day_before, descending=True)


def check_slices(what: str, record: ListingRecord, fresh: list[int], *, unseen: bool) -> None:
    """Each slice whose first page carried x-total must be covered by the rows from it to the
    end: its own distinct ids plus those the later slices added (not when the listing stopped
    at its watermark: the totals count what it had no need to read). The last slice's check
    says how its end was proven.

    `unseen`: the totals count rows the token may not see (events: `app/finders/
    events_finder.rb` counts before `visible_to_user?` filters each page), so fewer rows are
    expected and recorded as `unseen`, never an error; each range was read to its end."""
    pieces = record.slices
    for index, piece in enumerate(pieces if record.check != "watermark" else []):
        covered = piece.rows + sum(fresh[index + 1 :])
        if piece.x_total is None or covered >= piece.x_total:
            continue
        if unseen:
            piece.unseen = piece.x_total - piece.rows
            continue
        raise CompletenessError(
            f"{what}: slice {index + 1} ({piece.start or 'first'}) said x-total "
            f"{piece.x_total} but {covered} distinct rows came from it on; items were "
            "skipped while paging"
        )
    if unseen:
        record.unseen = sum(piece.unseen or 0 for piece in pieces)
    last = pieces[-1]
    if record.check in ("range", "watermark"):
        last.check = record.check
    elif unseen or last.x_total is None:
        last.check = "end-of-list"
    else:
        last.check = "x-total"


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

    @property
    def counts_unseen(self) -> bool:
        """x-total counts rows this token cannot see (events): never a reason to fail."""
        return self.slicer is not None and self.slicer.count_capped

    def cut(self) -> int | None:
        """The last page the current slice may ask for (GitLab's maximum offset, which only
        keyset-capable listings have); None: any."""
        slicer = self.slicer
        if self.limit is None or slicer is None or not slicer.keyset:
            return None
        if self.params.get("pagination") == "keyset":
            return None  # keyset pages have no offset
        return self.limit.max_page(self.per_page)

    def learn(self, stated: int | None) -> bool:
        """A 405 stated GitLab's maximum offset: True when this listing can be cut below it."""
        slicer = self.slicer
        if stated is None or self.limit is None or slicer is None or not slicer.keyset:
            return False
        if stated < self.per_page:
            return False
        self.limit.learn(stated, self.what)
        return True

    def reached_cap(self) -> bool:
        """The current slice, an events range, ended where the count cap may have stopped it:
        GitLab sent no X-Total (or, in versions that kept it, the capped count)."""
        if not self.counts_unseen:
            return False
        x_total = self.record.slices[-1].x_total
        return x_total is None or x_total >= EVENTS_COUNT_LIMIT

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
            raise CompletenessError(self._stuck(page_no))
        self.record.slices[-1].check = "continued"
        self.record.slices.append(SliceRecord({slicer.param: params[slicer.param]}))
        self._fresh.append(0)
        self.number, self.params, self._known = self.number + 1, params, set()

    def _stuck(self, page_no: int) -> str:
        slicer, item = self.slicer, self.last_item
        if slicer is not None and slicer.count_capped:
            day = str((item or {}).get(slicer.field) or "?")[:10]
            return (
                f"{self.what}: more than {EVENTS_COUNT_LIMIT:,} events on or around {day}; "
                "GitLab's Events API counts no further and filters only by whole days, so "
                "they cannot be listed completely; nothing was written"
            )
        return (
            f"{self.what}: page {page_no} reaches GitLab's maximum offset and the listing "
            "cannot be cut into a slice after it (too many items share one instant, or it "
            "has no order); nothing was written"
        )

    def finish(self) -> None:
        check_slices(self.what, self.record, self._fresh, unseen=self.counts_unseen)
        self._known, self.last_item = set(), None
