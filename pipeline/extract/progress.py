"""A running extraction's progress: one plain log line at least every 30 seconds.

`extract 2m30s: 1520/3003 listings done, 9874 requests, 612300 rows, 0 rate-limit waits (0 s
waiting); about 2m10s left`. Plain lines only (a CI log keeps each; nothing is redrawn). The time
left is the requests still to come over the rate of the last minute: a listing under way
estimates its own pages left from the dates of its pages so far (`ahead`), one not begun is
taken as long as the finished ones of its kind were on average.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Sequence

from pipeline.extract.gitlab.retry import RequestStats
from pipeline.extract.listing import Listing

log = logging.getLogger("leaderboard.extract")

#: seconds between lines: well inside the 30 s a reader of a CI log should wait at most
EVERY = 20.0
#: the request rate of this many recent seconds estimates the time left
RATE_WINDOW = 60.0


class Progress:
    """Says how far the extraction is; `tick()` (the scheduler calls it at least every second)
    writes a line once `every` seconds have passed on the injected clock."""

    def __init__(
        self,
        listings: Callable[[], Sequence[Listing]],
        stats: RequestStats,
        planned: Callable[[], bool],
        *,
        every: float = EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.listings, self.stats, self.planned = listings, stats, planned
        self.every, self.clock = every, clock
        self.started = self._last = clock()
        #: (when, requests so far), the last RATE_WINDOW seconds of them
        self._samples: deque[tuple[float, int]] = deque([(self.started, 0)])

    def tick(self) -> None:
        now = self.clock()
        if now - self._last >= self.every:
            self._last = now
            log.info("%s", self.line(now))

    def line(self, now: float) -> str:
        listings = self.listings()
        done = sum(1 for listing in listings if listing.done)
        rows = sum(listing.spec.record.rows for listing in listings)
        # counters read without their lock: a line may be a request behind, never wrong for long
        stats = self.stats
        requests, waits, waited = stats.total, stats.rate_limit_waits, stats.seconds_waiting
        return (
            f"extract {duration(now - self.started)}: {done}/{len(listings)} listings done, "
            f"{requests} requests, {rows} rows, {waits} rate-limit waits ({waited:.0f} s "
            f"waiting); {self._left(now, requests, listings, done)}"
        )

    def _left(self, now: float, requests: int, listings: Sequence[Listing], done: int) -> str:
        self._samples.append((now, requests))
        while len(self._samples) > 2 and now - self._samples[1][0] >= RATE_WINDOW:
            self._samples.popleft()
        since, before = self._samples[0]
        rate = (requests - before) / (now - since) if now > since else 0.0
        if not self.planned():
            return "listings still being planned"
        if done == len(listings):
            return "every listing done"
        if rate <= 0:
            return "time left unknown (no request answered lately)"
        left = requests_left(listings)
        pace = f"{rate:.0f}/s" if rate >= 10 else f"{rate:.1f}/s"
        return f"about {duration(left / rate)} left ({left:.0f} requests at {pace})"


def requests_left(listings: Sequence[Listing]) -> float:
    """Requests still to come: a listing under way, its own estimate (at least its next page);
    one not begun, the mean pages of the finished listings of its kind (else one page)."""
    finished: dict[str, list[int]] = {}
    for listing in listings:
        if listing.done:
            finished.setdefault(listing.spec.record.what, []).append(listing.spec.record.pages)
    left = 0.0
    for listing in listings:
        if listing.done:
            continue
        if listing.estimate.pages:
            left += max(1.0, listing.estimate.remaining())
        else:
            pages = finished.get(listing.spec.record.what)
            left += sum(pages) / len(pages) if pages else 1.0
    return left


def duration(seconds: float) -> str:
    """`45s`, `2m30s`, `1h05m`: a duration as a log line says it."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
