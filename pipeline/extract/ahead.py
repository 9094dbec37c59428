"""How far a listing fetches ahead: the pages left, estimated from the dates of its pages so far.

A listing ordered by a date (`created_at` ascending, `committed_date` descending) moves through
time at some pace per page; the time still to cover (to now, or down to the listing's floor)
at that pace is the estimate. `Listing` requests pages up to `frontier()` when workers idle.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pipeline.times import parse_optional

#: Fetch ahead only up to this share of the estimated remaining pages: the estimate is rough,
#: and a page fetched past the end is a wasted request.
AHEAD_SHARE = 0.7
#: Fetch ahead only in listings estimated to have at least this many pages left: for short
#: ones the waste at the tail outweighs the gain.
MIN_AHEAD_PAGES = 4
#: A listing this many pages long keeps fetching ahead to its estimated end (at least one page
#: past what is proven): its tail would otherwise be followed one page per round trip.
LONG_LISTING_PAGES = 20
#: Remaining pages are estimated from the pace of this many most recent pages: activity grows
#: over time, so the listing's average pace misjudges its end (short when ascending, long when
#: descending into sparser years).
RECENT_PAGES = 10


class AheadEstimate:
    """One listing's page dates in, its pages left and the last page worth requesting out.

    Touched only on the scheduler's thread, like the listing that owns it.
    """

    def __init__(
        self,
        order_field: str | None,
        *,
        descending: bool,
        floor: dt.datetime | None,
        now: Callable[[], dt.datetime],
    ) -> None:
        self.order_field = order_field
        self.descending = descending
        self.floor = floor  # the oldest time a descending listing reaches (its since)
        self.now = now
        self.pages = 0  # pages handled
        self._first_time: dt.datetime | None = None
        self._last_time: dt.datetime | None = None
        #: (pages handled, order time of the last item) for the most recent pages
        self._recent: deque[tuple[int, dt.datetime]] = deque(maxlen=RECENT_PAGES + 1)

    def first_page(self, items: Sequence[Mapping[str, Any]]) -> None:
        """The listing's first page (of its first slice): where its dates start."""
        if items:
            self._first_time = self._time(items[0])

    def page_handled(self, pages: int, items: Sequence[Mapping[str, Any]]) -> None:
        """A page handled in order; `pages` is the listing's count of handled pages so far."""
        self.pages = pages
        if items:
            self._last_time = self._time(items[-1]) or self._last_time
        if self._last_time is not None:
            self._recent.append((pages, self._last_time))

    def frontier(self, proven: int) -> int:
        """The last page worth requesting, `proven` being the highest page known to exist."""
        remaining = self.remaining()
        if self.pages >= LONG_LISTING_PAGES and remaining > 0:
            return proven + max(1, math.ceil(AHEAD_SHARE * remaining))
        if remaining < MIN_AHEAD_PAGES:
            return proven
        return proven + int(AHEAD_SHARE * remaining)

    def remaining(self) -> float:
        """Pages left, from how far the ordered dates have moved across the recent pages (or
        the listing's whole span while it has few pages)."""
        first, last, done = self._first_time, self._last_time, self.pages
        if first is None or last is None or done == 0:
            return 0.0
        if len(self._recent) > RECENT_PAGES:
            (since_page, first), (until_page, last) = self._recent[0], self._recent[-1]
            done = until_page - since_page
        if self.descending:
            if self.floor is None:
                return 0.0
            covered, left = first - last, last - self.floor
        else:
            covered, left = last - first, self.now() - last
        if covered.total_seconds() <= 0:
            return 0.0
        return max(0.0, done * left.total_seconds() / covered.total_seconds())

    def _time(self, item: Mapping[str, Any]) -> dt.datetime | None:
        if self.order_field is None:
            return None
        try:
            return parse_optional(item.get(self.order_field))
        except ValueError:
            return None
