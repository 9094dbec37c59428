"""Incremental review events: listed newest first, stopped at the last run's watermark.

A no-change run costs one page per events listing even when the watermark's day holds more than
a page of events; new events (a page and more, some inside the overlap) are all read; slices at
a small maximum offset continue with `before` and still stop; the stop rule on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pipeline.config import Secret, Settings
from pipeline.extract.command import ExtractResult, extract
from pipeline.extract.events import events_table, older_than
from pipeline.extract.gitlab.client import GitLabClient
from pipeline.extract.listing import Listing, ListingSpec
from pipeline.extract.scheduler import Scheduler
from pipeline.extract.store.manifest import ListingRecord
from pipeline.extract.store.state import read_state
from pipeline.sim import SimConfig, SimServer
from tests.extract.support import NOW, settings_for
from tests.extract.test_incremental import assert_same_raw, listing


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


def run(sim: SimServer, data: Path, **env: str) -> tuple[ExtractResult, dict[str, Any]]:
    """One extraction and what the server saw of it."""
    sim.reset_stats()
    result = extract(settings_for(sim, data, **env))
    return result, sim.stats()


def comments(sim: SimServer, n: int, *, step: float, project: str = "acme/app") -> list[int]:
    """`n` review comments on the project, the clock moving `step` seconds before each."""
    made = []
    for _ in range(n):
        sim.advance(seconds=step)
        made.append(sim.comment_mr(project=project))
    return made


def newest_event(sim: SimServer, project_id: int, action: str) -> dt.datetime:
    return max(
        e.created_at
        for e in sim.dataset.events.values()
        if e.project_id == project_id and e.action == action
    )


def test_no_change_run_reads_one_page_per_events_listing_after_a_busy_day(
    sim: SimServer, tmp_path: Path
) -> None:
    comments(sim, 150, step=60)  # 150 comments on the watermark's day, a minute apart
    data = tmp_path / "data"
    assert run(sim, data)[0].manifest["mode"] == "full"
    result, seen = run(sim, data)
    assert result.manifest["mode"] == "incremental"
    projects = result.manifest["rows"]["projects"]
    assert seen["by_route"]["project_events"] == 2 * projects  # one page per listing
    entry = listing(result, "events:commented", "acme/app")
    # newest first: page 1 reached events older than the watermark less the overlap; x-total
    # counts the whole day that `after` alone would have made it read again
    assert (entry["check"], entry["pages"], entry["rows"]) == ("watermark", 1, 100)
    assert entry["x_total"] > 100
    assert entry["slices"][-1]["check"] == "watermark"
    state = read_state(data / "state")
    assert state is not None
    assert state.watermarks["events/p101/commented"] == newest_event(sim, 101, "commented")


def test_incremental_after_new_events_matches_a_full_run(sim: SimServer, tmp_path: Path) -> None:
    comments(sim, 150, step=60)
    data = tmp_path / "data"
    run(sim, data)
    watermark = newest_event(sim, 101, "commented")
    resume = sim.dataset.now
    sim.advance(now=watermark - dt.timedelta(minutes=5))  # committed late: inside the overlap
    late = sim.comment_mr(project="acme/app")
    sim.advance(now=resume)
    comments(sim, 130, step=60)  # more than a page, on the watermark's day
    comments(sim, 30, step=3600)  # and the next day
    sim.approve_mr(project="acme/platform/api")
    result, _ = run(sim, data)
    assert result.manifest["mode"] == "incremental"
    entry = listing(result, "events:commented", "acme/app")
    # 161 new events, then the first page holding one older than the watermark less 10 minutes
    assert (entry["check"], entry["pages"]) == ("watermark", 2)
    assert entry["rows"] == 200 and entry["x_total"] > 200
    assert listing(result, "events:approved", "acme/platform/api")["pages"] == 1
    run(sim, tmp_path / "reference")
    assert_same_raw(data, tmp_path / "reference")
    state = read_state(data / "state")
    assert state is not None
    assert state.watermarks["events/p101/commented"] == newest_event(sim, 101, "commented")
    assert late in sim.dataset.events


def test_stopped_listing_past_the_events_count_cap(sim: SimServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    # app/finders/events_finder.rb counts at most cap + 1 events and pages no further: with a
    # cap of 100, a range ends after two pages without X-Total and goes on as the next range
    sim.configure(events_count_cap=100)
    comments(sim, 60, step=60)
    run(sim, data)
    comments(sim, 250, step=1800)  # 48 a day: more than one range before the watermark
    result, _ = run(sim, data)
    assert result.manifest["mode"] == "incremental"
    entry = listing(result, "events:commented", "acme/app")
    slices = entry["slices"]
    assert entry["check"] == "watermark" and len(slices) >= 2
    assert [s["check"] for s in slices] == ["continued"] * (len(slices) - 1) + ["watermark"]
    assert all(s["x_total"] is None for s in slices[:-1])  # the cap dropped X-Total
    # newest first, each next range ends before a day that keeps its edge event in every zone
    assert slices[0]["start"] == {} and all("before" in s["start"] for s in slices[1:])
    starts = [s["start"]["before"] for s in slices[1:]]
    assert starts == sorted(starts, reverse=True) and len(set(starts)) == len(starts)
    assert entry["rows"] >= 250
    sim.configure(events_count_cap=10_000)
    run(sim, tmp_path / "reference")
    assert_same_raw(data, tmp_path / "reference")


def test_the_stop_rule() -> None:
    bound = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
    stop = older_than(bound)
    at = "2026-11-28T12:00:00.000Z"
    assert not stop([]) and not stop([{"id": 1, "created_at": at}])  # not older: read on
    assert stop([{"id": 2, "created_at": "2026-11-28T13:59:59.999+02:00"}])  # 11:59:59 UTC
    # any event of the page older than the bound ends it (later pages hold lower ids still)
    assert stop([{"id": 3, "created_at": "2026-11-29T00:00:00Z"}, {"id": 1, "created_at": None},
                 {"id": 2, "created_at": "2026-11-20T00:00:00Z"}])  # fmt: skip
    assert not stop([{"id": 4, "created_at": "yesterday"}, {"id": 5}])  # unreadable: read on
    # ... and not lost: the same page's rows refuse the time, which fails the listing
    with pytest.raises(ValueError):
        events_table([{"id": 4, "created_at": "yesterday"}], 1, bound)


def test_a_stopped_listing_drops_the_pages_fetched_past_it(sim: SimServer) -> None:
    """Pages fetched ahead past the stop are dropped and counted; x-total is not checked."""
    url = f"{sim.url}/api/v4/projects/101/events"
    params = {"action": "commented", "sort": "desc", "per_page": 20}
    newest = requests.get(
        url, params=params | {"per_page": 100}, headers={"PRIVATE-TOKEN": sim.token}, timeout=10
    ).json()
    bound = dt.datetime.fromisoformat(newest[29]["created_at"])  # the 31st is older: page 2
    assert dt.datetime.fromisoformat(newest[30]["created_at"]) < bound
    record = ListingRecord("events:commented", "project", "acme/app")
    spec = ListingSpec(
        what="comment events of project acme/app",
        path="/projects/101/events",
        params=params,
        record=record,
        writer=None,
        order_field="created_at",
        descending=True,
        floor=NOW - dt.timedelta(days=730),  # far below: the estimate fetches well ahead
        stop_after=older_than(bound),
    )
    sim.reset_stats()
    with GitLabClient(Settings(), base_url=sim.url, token=Secret(sim.token)) as client:
        made = Listing(client, spec)
        scheduler = Scheduler(4, client.cancel)
        scheduler.add(made)
        scheduler.run()
    assert made.done and made.stopped
    assert (record.pages, record.rows, record.check) == (2, 40, "watermark")
    assert record.x_total is not None and record.x_total > 40
    assert scheduler.speculative_requests >= 1 and made.overshoot >= 1
    assert sim.stats()["by_route"]["project_events"] == record.pages + made.overshoot
