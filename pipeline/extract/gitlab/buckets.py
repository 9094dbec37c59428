"""Schedules the throttle books requests in: a token bucket (`Pace`) and a sliding window."""

from __future__ import annotations

import bisect
from typing import Protocol


class Pace:
    """A token bucket as a schedule (GCRA): each reservation gets the earliest start it may have.

    `interval` seconds per request on average, up to `burst` requests back to back. Reserving
    in the future (rather than polling) gives waiting threads their turns in arrival order.
    """

    def __init__(self, interval: float, burst: int = 1) -> None:
        self.interval = interval
        self.burst = max(1, burst)
        self._tat = float("-inf")  # theoretical arrival time of the next request

    def hold_until(self, when: float) -> None:
        """No slot before `when` (the schedule moves, nobody is counted as paused)."""
        self._tat = max(self._tat, when + (self.burst - 1) * self.interval)

    def earliest(self, now: float) -> float:
        """The first start at or after `now` this bucket would allow (nothing booked)."""
        return max(now, self._tat - (self.burst - 1) * self.interval)

    def book(self, start: float) -> None:
        """Take the slot at `start`, which must be at or after `earliest`."""
        self._tat = max(self._tat, start) + self.interval

    def reserve(self, now: float) -> float:
        """Book the next slot at or after `now` and return its start time."""
        start = self.earliest(now)
        self.book(start)
        return start


class Window:
    """At most `limit` starts in any `window` seconds: a sorted log of our own (booked) starts.

    Under a server's fixed-window count of `limit` whatever the phase of its windows, yet a
    short run sends its first `limit` requests at once. Same interface as `Pace`.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = max(1, limit)
        self.window = window
        self._starts: list[float] = []
        self._floor = float("-inf")

    def hold_until(self, when: float) -> None:
        self._floor = max(self._floor, when)

    def earliest(self, now: float) -> float:
        # Starts booked later than `now` count as if in the window too: never too few.
        cut = bisect.bisect_right(self._starts, now - self.window)
        del self._starts[:cut]
        start = max(now, self._floor)
        if len(self._starts) < self.limit:
            return start
        return max(start, self._starts[len(self._starts) - self.limit] + self.window)

    def book(self, start: float) -> None:
        bisect.insort(self._starts, start)


class Bucket(Protocol):
    """What the throttle books a request in: a `Pace` or a `Window`."""

    def hold_until(self, when: float) -> None: ...
    def earliest(self, now: float) -> float: ...
    def book(self, start: float) -> None: ...
