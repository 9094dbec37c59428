"""The simulator's Events API: GitLab's entity shape, filters, exclusive dates and paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pipeline.sim import SimConfig, SimServer

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


def get(sim: SimServer, **params: Any) -> requests.Response:
    url = f"{sim.url}/api/v4/projects/101/events"
    return requests.get(url, params=params, headers={"PRIVATE-TOKEN": sim.token}, timeout=10)


def test_after_and_before_are_exclusive_whole_dates(sim: SimServer) -> None:
    day = dt.date(2026, 11, 20)
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    sim.advance(now=start + dt.timedelta(hours=12))
    on_day = sim.approve_mr(project="acme/app")
    sim.advance(now=NOW)
    ids = {e["id"] for e in get(sim, action="approved", after="2026-11-19", per_page=100).json()}
    assert on_day in ids  # after=D-1 keeps D
    ids = {e["id"] for e in get(sim, action="approved", after="2026-11-20", per_page=100).json()}
    assert on_day not in ids  # after=D starts at D+1 00:00
    ids = {e["id"] for e in get(sim, action="approved", before="2026-11-20", per_page=100).json()}
    assert on_day not in ids
    ids = {e["id"] for e in get(sim, action="approved", before="2026-11-21", per_page=100).json()}
    assert on_day in ids


def test_entity_shape_and_filters(sim: SimServer) -> None:
    approvals = get(sim, action="approved", target_type="merge_request", sort="asc").json()
    assert approvals and all(e["target_type"] == "MergeRequest" for e in approvals)
    first = approvals[0]
    mr = sim.dataset.merge_requests[first["target_id"]]
    assert (first["action_name"], first["target_iid"], "note" in first) == (
        "approved",
        mr.iid,
        False,
    )
    assert first["author"]["username"] == first["author_username"]
    comments = get(sim, action="commented", target_type="note", per_page=100).json()
    assert {c["target_type"] for c in comments} <= {"Note", "DiffNote"}
    note = comments[0]
    assert note["action_name"] == "commented on"
    assert note["target_id"] == note["target_iid"] == note["note"]["id"]
    assert set(note["note"]) >= {"noteable_type", "noteable_id", "noteable_iid", "system", "body"}
    ids = [e["id"] for e in get(sim, action="commented", per_page=100).json()]
    assert ids == sorted(ids, reverse=True)  # default sort desc by id


def test_paging_headers_like_the_other_listings(sim: SimServer) -> None:
    resp = get(sim, action="commented", per_page=20)
    total = int(resp.headers["x-total"])
    assert total > 20 and 'rel="next"' in resp.headers["Link"]
    last = get(sim, action="commented", per_page=20, page=resp.headers["x-total-pages"])
    assert 'rel="next"' not in last.headers["Link"]


def test_bad_parameters_are_400(sim: SimServer) -> None:
    assert get(sim, sort="sideways").status_code == 400
    assert get(sim, after="yesterday").status_code == 400
    assert get(sim, action="frobbed").status_code == 400
