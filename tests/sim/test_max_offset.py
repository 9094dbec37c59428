"""The simulator's maximum-offset knob and keyset discovery pages, over HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import requests

from pipeline.sim import SimConfig, SimServer

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
COMMITS = "/projects/acme%2Fapp/repository/commits"


@pytest.fixture()
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(now=NOW, max_offset=300)) as server:
        yield server


def get(sim: SimServer, path: str, **params: object) -> requests.Response:
    return requests.get(
        f"{sim.url}/api/v4{path}", headers={"PRIVATE-TOKEN": sim.token}, params=params, timeout=10
    )


def test_pages_past_the_maximum_offset_get_gitlabs_405(sim: SimServer) -> None:
    # lib/api/helpers/pagination_strategies.rb: refused when page * per_page > max offset, and
    # only for keyset-capable types (projects; groups and users)
    projects = "/groups/acme/projects"
    assert get(sim, projects, per_page=100, page=3).status_code == 200
    refused = get(sim, projects, per_page=100, page=4)
    assert refused.status_code == 405
    assert refused.json() == {
        "error": "Offset pagination has a maximum allowed offset of 300 for requests that "
        "return objects of type Project. Remaining records can be retrieved using keyset "
        "pagination."
    }
    assert get(sim, projects, per_page=20, page=15).status_code == 200
    assert get(sim, projects, per_page=20, page=16).status_code == 405
    users = get(sim, "/users", per_page=100, page=4)
    assert users.status_code == 405 and "type User." in users.json()["error"]
    assert sim.stats()["by_route"]["group_projects"] == 4  # counted under their own route


def test_commits_merge_requests_issues_and_events_are_never_refused(sim: SimServer) -> None:
    for path in (
        COMMITS,
        "/groups/acme/merge_requests",
        "/groups/acme/issues",
        "/projects/101/merge_requests",
        "/projects/101/issues",
        "/projects/101/events",
    ):
        assert get(sim, path, per_page=100, page=40).status_code == 200, path


def test_the_knob_is_off_by_default_and_settable() -> None:
    with SimServer(SimConfig(now=NOW)) as sim:
        assert get(sim, "/groups/acme/projects", per_page=100, page=50).status_code == 200
        sim.configure(max_offset=100)
        assert get(sim, "/groups/acme/projects", per_page=100, page=2).status_code == 405
        with pytest.raises(ValueError):
            sim.configure(max_offset=-1)


def test_group_projects_have_keyset_pages_without_offset(sim: SimServer) -> None:
    expected = sorted(
        p.id
        for p in sim.dataset.projects.values()
        if p.namespace_id in sim.dataset.subgroup_ids(10)
    )
    params = {"include_subgroups": "true", "order_by": "id", "sort": "asc", "pagination": "keyset"}
    seen: list[int] = []
    answer = get(sim, "/groups/acme/projects", per_page=2, with_shared="false", **params)
    requests_made = 1
    while True:
        assert answer.status_code == 200 and "x-page" not in answer.headers
        assert "x-total" not in answer.headers
        seen += [item["id"] for item in answer.json()]
        nxt = answer.links.get("next", {}).get("url")
        if not nxt:
            break
        assert "id_after=" in nxt and "page=" not in nxt.replace("per_page=", "")
        answer = requests.get(nxt, headers={"PRIVATE-TOKEN": sim.token}, timeout=10)
        requests_made += 1
    assert seen == expected
    # a full last page links one more (empty) page, as GitLab's keyset pager does
    assert requests_made == len(expected) // 2 + 1
    after = get(sim, "/groups/acme/projects", with_shared="false", id_after=expected[2], **params)
    assert [item["id"] for item in after.json()] == expected[3:]
    bad = get(sim, "/groups/acme/projects", pagination="keyset", order_by="name", sort="asc")
    assert bad.status_code == 400


def test_a_plain_405_fault(sim: SimServer) -> None:
    sim.configure(scripted_faults=[{"route": "commits", "page": 2, "kind": "405"}])
    answer = get(sim, COMMITS, per_page=100, page=2)
    assert (answer.status_code, answer.json()) == (405, {"message": "405 Method Not Allowed"})
