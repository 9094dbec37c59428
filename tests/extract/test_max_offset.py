"""Listings longer than GitLab's maximum offset: cut into slices, learned from a 405, complete."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from pipeline.cli import main
from pipeline.extract.command import ExtractResult, extract
from pipeline.extract.gitlab.pages import Page, page_from
from pipeline.extract.listing import Listing, ListingSpec
from pipeline.extract.slices import ITEMS, OffsetLimit
from pipeline.extract.store.manifest import ListingRecord
from pipeline.sim import SimConfig, SimServer
from tests.extract.support import NOW, SINCE, env_for, read_raw, settings_for, tree_hashes
from tests.extract.test_incremental import assert_same_raw


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


def run(sim: SimServer, data: Path, **env: str) -> tuple[ExtractResult, dict[str, Any]]:
    """One extraction and what the server saw of it."""
    sim.reset_stats()
    result = extract(settings_for(sim, data, LEADERBOARD_SINCE=SINCE, **env))
    return result, sim.stats()


def entry(result: ExtractResult, what: str, owner: str) -> dict[str, Any]:
    found = [
        e
        for e in result.manifest["listings"]
        if e["what"] == what and owner in (e.get("project"), e.get("group"))
    ]
    assert len(found) == 1, found
    return found[0]


def assert_chained(listing: dict[str, Any], param: str, per_cut: int = 1) -> None:
    """Every slice but the last was cut and continued; each later one starts where it was cut.

    Slices overlap only at their edge, which the listing keeps once: the edge item itself, or
    for a date parameter (the Events API's `after`) the edge item's day, `per_cut` rows at most.
    """
    slices = listing["slices"]
    assert len(slices) > 1
    assert [s["check"] for s in slices[:-1]] == ["continued"] * (len(slices) - 1)
    assert slices[-1]["check"] in ("x-total", "end-of-list", "range")
    assert slices[0]["start"] == {} and all(param in s["start"] for s in slices[1:])
    assert sum(s["rows"] for s in slices) - per_cut * (len(slices) - 1) <= listing["rows"]


def test_a_stated_maximum_offset_is_learned_and_listings_are_cut(
    sim: SimServer, tmp_path: Path
) -> None:
    unlimited, seen_unlimited = run(sim, tmp_path / "unlimited")
    sim.configure(max_offset=100)  # one page of 100: every listing past it must be cut
    limited, seen = run(sim, tmp_path / "limited")  # LEADERBOARD_MAX_OFFSET left at 50,000
    assert_same_raw(tmp_path / "limited", tmp_path / "unlimited")
    assert limited.manifest["status"] == "complete"
    assert_chained(entry(limited, "commits", "acme/app"), "until")
    assert_chained(entry(limited, "merge_requests", "acme"), "created_after")
    assert_chained(entry(limited, "issues", "acme"), "created_after")
    # acme/app's 205 review comments: `after` is a date and exclusive, so each next slice starts
    # after the day before its edge item's, and that day's events are read again, kept once
    assert_chained(entry(limited, "events:commented", "acme/app"), "after", per_cut=5)
    # the 405s that taught the limit (at most one per listing that raced past it) are the only
    # refusals; none is retried or fails the run, and no page is fetched twice
    refused = seen["by_status"].get("405", 0)
    assert 1 <= refused <= 6
    assert set(seen["by_status"]) == {"200", "405"}
    assert limited.manifest["requests"]["retried"] == 0
    cuts = sum(len(e["slices"]) - 1 for e in limited.manifest["listings"])
    assert seen["by_status"]["200"] <= seen_unlimited["requests"] + cuts  # an edge page per cut
    assert seen["requests"] == limited.manifest["requests"]["total"]
    assert seen["requests"] <= 1.15 * seen_unlimited["requests"]
    assert unlimited.manifest["requests"]["total"] == seen_unlimited["requests"]


def test_a_configured_limit_is_never_passed(sim: SimServer, tmp_path: Path) -> None:
    sim.configure(max_offset=200)
    result, seen = run(sim, tmp_path / "data", LEADERBOARD_MAX_OFFSET="200")
    assert seen["by_status"] == {"200": seen["requests"]}
    slices = entry(result, "commits", "acme/app")["slices"]
    assert len(slices) == 2 and slices[0]["pages"] == 2


def test_a_405_without_the_message_still_fails_the_run(sim: SimServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert main(["extract"], env_for(sim, data, LEADERBOARD_SINCE=SINCE)) == 0
    before = tree_hashes(data)
    sim.configure(scripted_faults=[{"route": "commits", "project": "acme/app", "page": 2,
                                    "kind": "405"}])  # fmt: skip
    with pytest.raises(Exception, match="HTTP 405 after 1 attempt") as failed:
        extract(settings_for(sim, data, LEADERBOARD_SINCE=SINCE, LEADERBOARD_FULL_REFRESH="1"))
    assert str(failed.value) == (
        "GET /api/v4/projects/101/repository/commits page 2 (commits of acme/app): "
        "HTTP 405 after 1 attempt"
    )
    assert tree_hashes(data) == before


def test_incremental_ranges_and_updates_longer_than_the_limit_are_cut(
    sim: SimServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    sim.configure(max_offset=100)
    run(sim, data, LEADERBOARD_MAX_OFFSET="100")
    sim.advance(seconds=3600)
    sim.add_commits("acme/app", n=250)
    for mr_id in sorted(sim.dataset.merge_requests)[:150]:
        sim.touch_mr(mr_id)
    result, seen = run(sim, data, LEADERBOARD_MAX_OFFSET="100")
    assert result.manifest["mode"] == "incremental"
    assert "405" not in seen["by_status"]
    commits = entry(result, "commits", "acme/app")
    assert (commits["check"], commits["rows"]) == ("range", 250)
    assert_chained(commits, "until")
    assert commits["slices"][-1]["check"] == "range"
    assert_chained(entry(result, "merge_requests", "acme"), "created_after")
    sim.configure(max_offset=0)
    run(sim, tmp_path / "reference")
    assert_same_raw(data, tmp_path / "reference")


def test_discovery_past_the_limit_goes_on_as_keyset_pages(sim: SimServer, tmp_path: Path) -> None:
    for n in range(100):
        sim.add_project(f"acme/platform/extra-{n:03}", commits=1, mrs=0, issues=0)
    sim.configure(max_offset=100)
    result, seen = run(sim, tmp_path / "data", LEADERBOARD_MAX_OFFSET="100")
    assert "405" not in seen["by_status"]
    discovery = entry(result, "projects", "acme")
    assert discovery["slices"][0]["start"] == {}
    assert discovery["slices"][1]["start"]["id_after"].isdigit()
    assert discovery["rows"] == 106
    projects = read_raw(tmp_path / "data", "projects")
    assert projects.height == projects["id"].n_unique() == 106


class FakeClient:
    """Answers a listing's requests with pages given in advance; records what was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[dict[str, Any] | None, int]] = []

    def get_page(self, path: str, params: dict[str, Any] | None, *, what: str, page: int) -> Page:
        self.asked.append((params, page))
        return page_from([{"id": 99, "created_at": "2026-05-05T00:00:00Z"}], path, {}, None)


def test_a_limit_lowered_by_another_listing_cuts_one_already_past_it() -> None:
    limit = OffsetLimit(50_000)
    client = FakeClient()
    record = ListingRecord("merge_requests", "group", "g")
    spec = ListingSpec(
        what="merge requests of group g",
        path="/groups/1/merge_requests",
        params={"per_page": 2, "sort": "asc"},
        record=record,
        convert=lambda item: {},
        writer=None,
        slicer=ITEMS,
        limit=limit,
    )
    listing = Listing(cast(Any, client), spec, ahead=False)
    for number in (1, 2, 3):
        items = [{"id": number * 2 + i, "created_at": f"2026-0{number}-01T00:00:0{i}Z"}
                 for i in range(2)]  # fmt: skip
        url = f"https://gitlab.example/api/v4/groups/1/merge_requests?page={number + 1}"
        listing.on_result((0, number), (page_from(items, url, {}, url), None))
    assert limit.learn(4, "issues of group g")  # another listing's 405: two pages of 2
    (request,) = listing.ready(8)
    assert request.tag == (1, 1)
    listing.on_result(request.tag, request.call())
    assert client.asked == [
        ({"per_page": 2, "sort": "asc", "created_after": "2026-03-01T00:00:01Z"}, 1)
    ]
    assert listing.done and record.rows == 7
    assert [s.check for s in record.slices] == ["continued", "end-of-list"]
