"""The scheduler on its own: bounded pool, first failure cancels and is raised, no silent stall."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import pytest

from pipeline.errors import CompletenessError, RequestError
from pipeline.extract.scheduler import Call, Request, Scheduler, Source


class Pages:
    """A listing-like source of `n` requests, one in flight at a time, counting concurrency."""

    def __init__(self, n: int, gauge: list[int], fail_at: int | None = None) -> None:
        self.n, self.gauge, self.fail_at = n, gauge, fail_at
        self.sent = self.got = 0
        self.lock = threading.Lock()
        self.inflight = 0

    @property
    def done(self) -> bool:
        return self.got == self.n

    def ready(self, limit: int) -> list[Request]:
        if self.sent > self.got or self.sent == self.n or limit < 1:
            return []
        self.sent += 1
        return [Request(self, self.sent, lambda page=self.sent: self.fetch(page))]

    def fetch(self, page: int) -> int:
        with self.lock:
            self.inflight += 1
            self.gauge.append(self.inflight)
        try:
            if page == self.fail_at:
                raise RequestError("GET", "/api/v4/x", page, "x", "HTTP 503", 6)
            return page
        finally:
            with self.lock:
                self.inflight -= 1

    def speculate(self) -> Request | None:
        return None

    def remaining(self) -> float:
        return float(self.n - self.sent)

    def on_result(self, tag: Any, result: Any) -> Iterable[Source]:
        self.got += 1
        return ()

    def on_error(self, tag: Any, error: BaseException) -> Iterable[Source] | None:
        return None


class Stuck(Pages):
    """Claims to have work left but never asks for it: a bug the scheduler must not hide."""

    def ready(self, limit: int) -> list[Request]:
        return []


def test_every_source_runs_to_completion() -> None:
    gauge: list[int] = []
    sources = [Pages(5, gauge) for _ in range(6)]
    followed: list[int] = []
    scheduler = Scheduler(3, on_cancel=lambda: None)
    for source in sources:
        scheduler.add(source)
    scheduler.add(Call(lambda: 41, lambda value: followed.append(value + 1) or ()))
    scheduler.run()
    assert all(source.done for source in sources)
    assert followed == [42]
    assert max(gauge) <= 3  # never more requests in flight than workers


def test_first_failure_cancels_and_is_raised() -> None:
    cancelled: list[bool] = []
    scheduler = Scheduler(2, on_cancel=lambda: cancelled.append(True))
    scheduler.add(Pages(5, [], fail_at=3))
    with pytest.raises(RequestError, match="page 3"):
        scheduler.run()
    assert cancelled == [True]


def test_a_source_that_stops_unfinished_fails_the_run() -> None:
    scheduler = Scheduler(2, on_cancel=lambda: None)
    scheduler.add(Stuck(3, []))
    with pytest.raises(CompletenessError, match="stopped unfinished"):
        scheduler.run()


def test_tolerated_error_starts_other_work() -> None:
    def fail() -> None:
        raise RequestError("GET", "/api/v4/m", None, "merge base", "HTTP 400", 1)

    fallback = Pages(2, [])
    scheduler = Scheduler(2, on_cancel=lambda: None)
    scheduler.add(Call(fail, lambda _: (), tolerate=lambda error: [fallback]))
    scheduler.run()
    assert fallback.done
