"""GitLab's maximum offset: only project discovery is refused past it (and goes on as keyset
pages, the limit learned from a 405); commits, MRs, issues and events are never cut for it
(`offset_paginator` in lib/api/helpers/pagination_strategies.rb)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from pipeline.cli import main
from pipeline.extract.command import ExtractResult, extract
from pipeline.extract.gitlab.pages import Page, page_from
from pipeline.extract.listing import Listing, ListingSpec
from pipeline.extract.slices import PROJECTS, OffsetLimit
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


def test_listings_other_than_discovery_are_never_cut(sim: SimServer, tmp_path: Path) -> None:
    _, seen_unlimited = run(sim, tmp_path / "unlimited")
    sim.configure(max_offset=100)  # one page of 100, far below acme/app's 323 commits
    limited, seen = run(sim, tmp_path / "limited", LEADERBOARD_MAX_OFFSET="100")
    assert_same_raw(tmp_path / "limited", tmp_path / "unlimited")
    assert "405" not in seen["by_status"]  # GitLab refuses none of them
    assert seen["requests"] == seen_unlimited["requests"]  # and no request is spent on cuts
    assert all(len(e["slices"]) == 1 for e in limited.manifest["listings"])
    assert entry(limited, "commits", "acme/app")["pages"] > 1


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


def test_incremental_ranges_and_updates_are_never_cut(sim: SimServer, tmp_path: Path) -> None:
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
    assert (commits["check"], commits["rows"], len(commits["slices"])) == ("range", 250, 1)
    assert len(entry(result, "merge_requests", "acme")["slices"]) == 1
    sim.configure(max_offset=0)
    run(sim, tmp_path / "reference")
    assert_same_raw(data, tmp_path / "reference")


def add_projects(sim: SimServer, n: int) -> int:
    for number in range(n):
        sim.add_project(f"acme/platform/extra-{number:03}", commits=1, mrs=0, issues=0)
    return sum(
        1 for p in sim.dataset.projects.values() if p.path_with_namespace.startswith("acme/")
    )


def test_discovery_past_the_limit_goes_on_as_keyset_pages(sim: SimServer, tmp_path: Path) -> None:
    in_acme = add_projects(sim, 100)
    sim.configure(max_offset=100)
    result, seen = run(sim, tmp_path / "data", LEADERBOARD_MAX_OFFSET="100")
    assert "405" not in seen["by_status"]
    discovery = entry(result, "projects", "acme")
    assert discovery["slices"][0]["start"] == {} and discovery["slices"][0]["pages"] == 1
    assert discovery["slices"][1]["start"]["id_after"].isdigit()
    assert discovery["rows"] == in_acme
    projects = read_raw(tmp_path / "data", "projects")
    assert projects.height == projects["id"].n_unique() == in_acme


def test_a_stated_maximum_offset_is_learned_from_discovery(sim: SimServer, tmp_path: Path) -> None:
    in_acme = add_projects(sim, 100)
    unlimited, _ = run(sim, tmp_path / "unlimited")
    sim.configure(max_offset=100)
    learned, seen = run(sim, tmp_path / "learned")  # LEADERBOARD_MAX_OFFSET left at 50,000
    assert seen["by_status"].get("405") == 1  # discovery's page 2, once; nothing retried
    assert learned.manifest["requests"]["retried"] == 0
    discovery = entry(learned, "projects", "acme")
    assert discovery["rows"] == in_acme and len(discovery["slices"]) == 2
    assert_same_raw(tmp_path / "learned", tmp_path / "unlimited")
    assert learned.manifest["status"] == unlimited.manifest["status"] == "complete"


class FakeClient:
    """Answers a listing's requests with pages given in advance; records what was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[dict[str, Any] | None, int]] = []

    def get_page(self, path: str, params: dict[str, Any] | None, *, what: str, page: int) -> Page:
        self.asked.append((params, page))
        return page_from([{"id": 99}], path, {}, None)


def test_a_limit_lowered_by_another_listing_cuts_one_already_past_it() -> None:
    limit = OffsetLimit(50_000)
    client = FakeClient()
    record = ListingRecord("projects", "group", "g")
    spec = ListingSpec(
        what="projects of group g",
        path="/groups/1/projects",
        params={"per_page": 2, "order_by": "id", "sort": "asc"},
        record=record,
        writer=None,
        slicer=PROJECTS,
        limit=limit,
    )
    listing = Listing(cast(Any, client), spec, ahead=False)
    for number in (1, 2, 3):
        items = [{"id": number * 2 + i} for i in range(2)]
        url = f"https://gitlab.example/api/v4/groups/1/projects?page={number + 1}"
        listing.on_result((0, number), (page_from(items, url, {}, url), None))
    assert limit.learn(4, "projects of group h")  # another listing's 405: two pages of 2
    (request,) = listing.ready(8)
    assert request.tag == (1, 1)
    listing.on_result(request.tag, request.call())
    assert client.asked == [
        (
            {
                "per_page": 2,
                "order_by": "id",
                "sort": "asc",
                "pagination": "keyset",
                "id_after": "7",
            },
            1,
        )
    ]
    assert listing.done and record.rows == 7
    assert [s.check for s in record.slices] == ["continued", "end-of-list"]
