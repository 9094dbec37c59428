"""Runs every request of an extraction on one bounded pool, stopping at the first failure.

Sources (listings, single look-ups) say which requests they can issue now; the scheduler keeps
`workers` requests in flight: first the next page of listings already under way, then new
sources, and only when a worker would otherwise idle, later pages of long listings fetched ahead
by page number. Results are handled on the calling thread, so a listing's cursor, its
completeness checks and its Parquet writer are only ever touched by one thread.
"""

from __future__ import annotations

import logging
import queue
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.errors import CompletenessError

log = logging.getLogger("leaderboard.extract")


@dataclass(frozen=True)
class Request:
    """One HTTP request a source wants made; `tag` lets the source recognise the answer."""

    source: Source
    tag: Any
    call: Callable[[], Any]


class Source(Protocol):
    """Something that needs requests: a paged listing, a look-up, a chain of look-ups."""

    def ready(self, limit: int) -> list[Request]:
        """At most `limit` requests needed now (next page, a page fetched again, a look-up);
        each one returned counts as sent."""

    def speculate(self) -> Request | None:
        """One request ahead of need (a later page by number), or None."""

    def remaining(self) -> float:
        """Estimated requests still to come: the longest listing is fetched ahead first."""

    def on_result(self, tag: Any, result: Any) -> Iterable[Source]:
        """Handle an answer on the scheduler's thread; may start further sources."""

    def on_error(self, tag: Any, error: BaseException) -> Iterable[Source] | None:
        """None when the failure fails the run; else sources to start instead (maybe none)."""

    @property
    def done(self) -> bool: ...


class Scheduler:
    """One `ThreadPoolExecutor` for the whole run; no pool inside it."""

    def __init__(
        self,
        workers: int,
        on_cancel: Callable[[], None],
        *,
        tick: Callable[[], None] | None = None,
        tick_every: float = 1.0,
    ) -> None:
        self.workers = max(1, workers)
        self._on_cancel = on_cancel
        #: called on this thread after every answer, and every `tick_every` seconds while none
        #: comes (a long rate-limit wait, a slow page): the progress line's chance to be written
        self._tick = tick or (lambda: None)
        self._tick_every = tick_every
        self._new: deque[Source] = deque()
        self._active: list[Source] = []
        self.speculative_requests = 0
        #: requests-in-flight integrated over time, and the run's length: their ratio over
        #: `workers` is how busy the pool was (the benchmark reports it)
        self.busy_seconds = 0.0
        self.seconds = 0.0

    def add(self, source: Source) -> None:
        self._new.append(source)

    def run(self) -> None:
        """Until every source is done; the first failure cancels the rest and is raised. May be
        called again with new sources (a later pass of the same extraction)."""
        inflight: dict[Future[Any], Request] = {}
        # Finished futures are queued by their worker: the loop wakes on the first one without
        # re-registering a waiter on every future in flight each time round (as `wait` does).
        finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
        start = last = time.monotonic()
        with ThreadPoolExecutor(self.workers, thread_name_prefix="extract") as pool:
            try:
                while True:
                    self._fill(pool, inflight, finished)
                    if not inflight:
                        self._check_all_done()
                        break
                    ready = self._wait(finished)
                    now = time.monotonic()
                    self.busy_seconds += len(inflight) * (now - last)
                    last = now
                    for future in ready:
                        self._handle(inflight.pop(future), future)
                    self._tick()
                self.seconds += time.monotonic() - start  # over every run() of it
            except BaseException:
                # Stop promptly: no new requests, sleeping retries wake and give up, the
                # requests already on the wire finish; then the first failure is raised.
                self._on_cancel()
                for future in inflight:
                    future.cancel()
                raise

    def _wait(self, finished: queue.SimpleQueue[Future[Any]]) -> list[Future[Any]]:
        """The futures finished so far, at least one; ticks while none comes."""
        while True:
            try:
                ready = [finished.get(timeout=self._tick_every)]
            except queue.Empty:
                self._tick()
                continue
            while not finished.empty():
                ready.append(finished.get())
            return ready

    def _check_all_done(self) -> None:
        """Nothing in flight and nothing to send: every source must be finished, or a bug would
        pass a partial listing off as complete."""
        stuck = [s for s in [*self._active, *self._new] if not s.done]
        if stuck:
            raise CompletenessError(f"internal error: {len(stuck)} listings stopped unfinished")

    def _handle(self, request: Request, future: Future[Any]) -> None:
        error = future.exception()
        source = request.source
        if error is not None:
            spawned = source.on_error(request.tag, error)
            if spawned is None:
                raise error
        else:
            spawned = source.on_result(request.tag, future.result())
        # Sources started by an answer (discovery's listings, a look-up's second step) go first:
        # long listings then start early, and work already begun is finished before new work.
        self._new.extendleft(reversed(list(spawned)))

    def _fill(
        self,
        pool: ThreadPoolExecutor,
        inflight: dict[Future[Any], Request],
        finished: queue.SimpleQueue[Future[Any]],
    ) -> None:
        self._active = [s for s in self._active if not s.done]
        for request in self._next(self.workers - len(inflight)):
            future = pool.submit(request.call)
            inflight[future] = request
            future.add_done_callback(finished.put)

    def _next(self, slots: int) -> list[Request]:
        chosen: list[Request] = []
        for source in self._active:
            if len(chosen) >= slots:
                return chosen
            chosen.extend(source.ready(slots - len(chosen)))
        while self._new and len(chosen) < slots:
            source = self._new.popleft()
            self._active.append(source)
            chosen.extend(source.ready(slots - len(chosen)))
        while len(chosen) < slots:
            request = self._speculate()
            if request is None:
                break
            chosen.append(request)
        return chosen

    def _speculate(self) -> Request | None:
        for source in sorted(self._active, key=lambda s: s.remaining(), reverse=True):
            request = source.speculate()
            if request is not None:
                self.speculative_requests += 1
                return request
        return None


class Call:
    """A source of one request (a look-up); `then` handles the answer and may start more."""

    def __init__(
        self,
        call: Callable[[], Any],
        then: Callable[[Any], Iterable[Source]],
        *,
        tolerate: Callable[[BaseException], Iterable[Source] | None] | None = None,
    ) -> None:
        self._call = call
        self._then = then
        self._tolerate = tolerate
        self._issued = False
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def ready(self, limit: int) -> list[Request]:
        if self._issued or limit < 1:
            return []
        self._issued = True
        return [Request(self, None, self._call)]

    def speculate(self) -> Request | None:
        return None

    def remaining(self) -> float:
        return 0.0 if self._issued else 1.0

    def on_result(self, tag: Any, result: Any) -> Iterable[Source]:
        self._done = True
        return self._then(result)

    def on_error(self, tag: Any, error: BaseException) -> Iterable[Source] | None:
        """An expected error (e.g. merge_base's 400/404) may be turned into further sources."""
        spawn = None if self._tolerate is None else self._tolerate(error)
        if spawn is not None:
            self._done = True
        return spawn
