"""UTC times: the one ISO 8601 reader and writer every stage shares, the default since, and the
heartbeat that says what a long step is doing."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Literal


def parse_utc(text: str, *, bare_is_utc: bool = False) -> dt.datetime:
    """An ISO 8601 time with `Z` or an offset, as an aware UTC datetime.

    A time without a zone raises ValueError (it would be read in the machine's zone), unless
    `bare_is_utc` says the text is UTC by definition (`--as-of`, whose contract format is UTC).
    """
    value = dt.datetime.fromisoformat(text.strip())  # Python 3.11+ reads `Z` and offsets
    if value.tzinfo is None:
        if not bare_is_utc:
            raise ValueError(f"time without a time zone: {text!r}")
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def parse_optional(value: object) -> dt.datetime | None:
    """A time as GitLab sends it: None or "" stay None; anything else must be an ISO 8601
    string with a zone (`parse_utc`), else ValueError."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    return parse_utc(value)


def format_utc(
    value: dt.datetime, timespec: Literal["auto", "seconds", "microseconds"] = "auto"
) -> str:
    """`2026-08-23T00:00:00Z`: UTC with `Z`; microseconds when there are any (`auto`), never
    (`seconds`, truncated) or always (`microseconds`, so equal lengths compare as strings)."""
    return value.astimezone(dt.UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def display_utc(value: dt.datetime) -> str:
    """`2026-08-23 00:00 UTC`: a time as people read it on the page and in the MR preview."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def default_since(today: dt.date) -> dt.date:
    """Two years back, so the 365-day window is always covered with room to spare."""
    try:
        return today.replace(year=today.year - 2)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 2, day=28)


class Heartbeat:
    """Says what a stage is doing when a step runs long: once the current step has run `after`
    seconds, one plain log line naming it, then one every `every` seconds while it goes on (so a
    CI log shows a slow build or publish is alive, and where it is). `tick()` decides, with the
    injected clock; used as a context manager, a thread calls it while the steps block."""

    def __init__(
        self,
        log: logging.Logger,
        stage: str,
        *,
        after: float = 5.0,
        every: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log, self.stage, self.after, self.every, self.clock = log, stage, after, every, clock
        self._lock = threading.Lock()
        self._what: str | None = None
        self._since = 0.0  # when the current step began
        self._said: float | None = None  # when it was last reported
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self, what: str) -> None:
        """The step now running, e.g. "running queries/44_int_board_counts.sql"."""
        with self._lock:
            self._what, self._since, self._said = what, self.clock(), None

    def tick(self) -> None:
        with self._lock:
            if self._what is None:
                return
            now = self.clock()
            due = self._since + self.after if self._said is None else self._said + self.every
            if now < due:
                return
            self._said = now
            what, running = self._what, now - self._since
        self.log.info("%s: %s (%.0f s so far)", self.stage, what, running)

    def __enter__(self) -> Heartbeat:
        def beat() -> None:
            while not self._stop.wait(1.0):
                self.tick()

        self._thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
