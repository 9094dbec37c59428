"""Progress lines of a running extraction: their content, their timing on an injected clock, and
a scheduler that ticks while no answer comes (a long rate-limit wait, a slow page)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from pipeline.extract.command import extract
from pipeline.extract.gitlab.retry import RequestStats
from pipeline.extract.listing import Listing
from pipeline.extract.progress import Progress, duration, requests_left
from pipeline.extract.scheduler import Request, Scheduler, Source
from pipeline.extract.store.manifest import ListingRecord
from pipeline.sim import SimConfig, SimServer
from tests.extract.support import NOW, settings_for

LINE = re.compile(
    r"extract (\d+s|\d+m\d\ds|\d+h\d\dm): (\d+)/(\d+) listings done, (\d+) requests, (\d+) rows, "
    r"(\d+) rate-limit waits \((\d+) s waiting\); (.+)"
)


class Clock:
    """Seconds that move only when the test moves them (or by `step` at every reading)."""

    def __init__(self, step: float = 0.0) -> None:
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def listing(what: str, pages: int, rows: int, *, done: bool, left: float = 0.0) -> Listing:
    """A stand-in with what Progress reads of a listing: its record and its own estimate."""
    record = ListingRecord(what, "project", "acme/app", pages=pages, rows=rows)
    estimate = SimpleNamespace(pages=pages, remaining=lambda: left)
    return cast(Listing, SimpleNamespace(done=done, spec=SimpleNamespace(record=record),
                                         estimate=estimate))  # fmt: skip


def test_a_line_says_listings_requests_rows_waits_and_the_time_left(
    caplog: pytest.LogCaptureFixture,
) -> None:
    listings = [
        listing("commits", 10, 950, done=True),
        listing("commits", 30, 2990, done=True),
        listing("commits", 4, 400, done=False, left=15.6),  # under way: its own estimate
        listing("commits", 0, 0, done=False),  # not begun: as long as the finished ones, 20
        listing("events:approved", 0, 0, done=False),  # none of its kind finished: 1
    ]
    stats = RequestStats()
    clock = Clock()
    progress = Progress(lambda: listings, stats, lambda: True, every=20, clock=clock)
    caplog.set_level(logging.INFO, "leaderboard.extract")
    for _ in range(60):
        stats.count_attempt("200", retry=False)
    stats.count_wait(pauses=1, seconds=4.4)
    clock.now += 19.9
    progress.tick()  # not yet
    clock.now += 10.1
    progress.tick()  # 30 s in: 60 requests, 2/s
    assert [r.getMessage() for r in caplog.records] == [
        "extract 30s: 2/5 listings done, 60 requests, 4340 rows, 1 rate-limit waits (4 s "
        "waiting); about 18s left (37 requests at 2.0/s)"
    ]
    assert requests_left(listings) == pytest.approx(15.6 + 20 + 1)


def test_the_rate_is_the_last_minutes_and_the_end_is_said_plainly() -> None:
    listings = [listing("commits", 0, 0, done=False)]
    stats, clock, planned = RequestStats(), Clock(), [False]
    progress = Progress(lambda: listings, stats, lambda: planned[0], clock=clock)
    assert progress.line(clock.now + 20).endswith("; listings still being planned")
    planned[0] = True
    assert progress.line(clock.now + 40).endswith(
        "; time left unknown (no request answered lately)"
    )
    for _ in range(600):
        stats.count_attempt("200", retry=False)
    # 600 requests between 40 s and 100 s: the window's rate, not the whole run's average
    assert progress.line(clock.now + 100).endswith("; about 0s left (1 requests at 10/s)")
    listings[0] = listing("commits", 3, 250, done=True)
    assert progress.line(clock.now + 120) == (
        "extract 2m00s: 1/1 listings done, 600 requests, 250 rows, 0 rate-limit waits (0 s "
        "waiting); every listing done"
    )


def test_durations() -> None:
    assert [duration(s) for s in (0, 44.6, 60, 150, 3599, 3600, 3900)] == [
        "0s", "45s", "1m00s", "2m30s", "59m59s", "1h00m", "1h05m",
    ]  # fmt: skip


class Waiting:
    """One request that answers only once the scheduler has ticked while it was in flight."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.sent = self.got = False
        self.ticks_in_flight = 0

    @property
    def done(self) -> bool:
        return self.got

    def ready(self, limit: int) -> list[Request]:
        if self.sent:
            return []
        self.sent = True
        return [Request(self, None, lambda: self.released.wait())]

    def speculate(self) -> Request | None:
        return None

    def remaining(self) -> float:
        return 0.0

    def on_result(self, tag: Any, result: Any) -> Iterable[Source]:
        self.got = True
        return ()

    def on_error(self, tag: Any, error: BaseException) -> Iterable[Source] | None:
        return None

    def tick(self) -> None:
        if self.sent and not self.got:
            self.ticks_in_flight += 1
            self.released.set()


def test_the_scheduler_ticks_while_no_answer_comes() -> None:
    source = Waiting()
    scheduler = Scheduler(1, lambda: None, tick=source.tick, tick_every=0.01)
    scheduler.add(source)
    scheduler.run()  # returns only because a tick released the request
    assert source.done and source.ticks_in_flight >= 1


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


def test_an_extraction_says_how_far_it_is(
    sim: SimServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Its clock moves 7 s at every reading, so lines come as a slow run's would."""
    caplog.set_level(logging.INFO, "leaderboard.extract")
    result = extract(settings_for(sim, tmp_path / "data"), clock=Clock(step=7))
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("extract ")]
    found = [LINE.fullmatch(line) for line in lines if "complete in" not in line]
    assert len(found) >= 3 and all(found), lines
    parsed = [m.groups() for m in found if m]
    planned = len(result.manifest["listings"])
    assert all(int(total) <= planned for _, _, total, *_ in parsed)
    requests = [int(g[3]) for g in parsed]
    assert requests == sorted(requests) and requests[-1] <= result.manifest["requests"]["total"]
    assert parsed[0][7] == "listings still being planned" or parsed[0][7].startswith("about ")
