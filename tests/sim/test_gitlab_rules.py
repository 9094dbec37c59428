"""The simulator follows GitLab's own source on the rules issue 19 read there, over HTTP.

Each test names the file it follows (gitlabhq/gitlabhq).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pipeline.extract.trailers import identity
from pipeline.sim import SimConfig, SimServer
from pipeline.sim.events_api import hidden
from pipeline.sim.trailers import parse

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


def get(sim: SimServer, path: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{sim.url}/api/v4{path}", params=params, headers={"PRIVATE-TOKEN": sim.token}, timeout=10
    )


def comments_of_app(sim: SimServer) -> list[int]:
    return sorted(
        e.id for e in sim.dataset.events.values() if e.project_id == 101 and e.action == "commented"
    )


def follow(sim: SimServer, path: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every item a listing's Link chain reaches, and how many pages it took."""
    answer = get(sim, path, **params)
    items, pages = list(answer.json()), 1
    while "next" in answer.links:
        answer = requests.get(
            answer.links["next"]["url"], headers={"PRIVATE-TOKEN": sim.token}, timeout=10
        )
        items += answer.json()
        pages += 1
    return items, pages


def test_events_count_stops_at_the_cap_and_drops_x_total(sim: SimServer) -> None:
    # app/finders/events_finder.rb (paginated_filtered_by_user_visibility): the count is
    # `events.limit(MAX_COUNT_LIMIT + 1).count` and paging follows it; offset_pagination.rb
    # (paginatable_array_exceeds_count?) drops X-Total, X-Total-Pages and rel="last" once the
    # count reaches the limit. A page asked for directly past it still holds rows.
    everything = comments_of_app(sim)
    assert len(everything) > 150
    sim.configure(events_count_cap=len(everything) + 5)
    below = get(sim, "/projects/101/events", action="commented", per_page=100, sort="asc")
    assert below.headers["x-total"] == str(len(everything))
    assert 'rel="last"' in below.headers["link"]
    sim.configure(events_count_cap=150)
    items, pages = follow(sim, "/projects/101/events", action="commented", per_page=50, sort="asc")
    assert pages == math.ceil(151 / 50) == 4  # the Link chain ends at the capped count's pages
    assert [e["id"] for e in items] == everything[:200]  # page 4 is a whole page of real rows
    first = get(sim, "/projects/101/events", action="commented", per_page=50, sort="asc")
    assert "x-total" not in first.headers and "x-total-pages" not in first.headers
    assert 'rel="last"' not in first.headers["link"]
    past = get(sim, "/projects/101/events", action="commented", per_page=50, sort="asc", page=5)
    assert [e["id"] for e in past.json()] == everything[200:250] and "next" not in past.links


def test_events_x_total_counts_events_the_token_cannot_see(sim: SimServer) -> None:
    # events_finder.rb counts before `visible_to_user?` filters each page: pages can be short
    # and the rows fewer than X-Total on a healthy listing
    sim.configure(hidden_events=0.25)
    everything = comments_of_app(sim)
    seen = [i for i in everything if not hidden(i, 0.25)]
    assert 0 < len(seen) < len(everything)
    items, pages = follow(sim, "/projects/101/events", action="commented", per_page=100, sort="asc")
    assert [e["id"] for e in items] == seen
    first = get(sim, "/projects/101/events", action="commented", per_page=100, sort="asc")
    assert first.headers["x-total"] == str(len(everything))
    assert pages == math.ceil(len(everything) / 100) and len(first.json()) < 100


def test_event_days_are_days_in_the_instances_time_zone(sim: SimServer) -> None:
    # events_finder.rb: `params[:after].end_of_day`, `params[:before].beginning_of_day`, in the
    # Time.zone that config/initializers/time_zone.rb sets from gitlab.yml's time_zone
    sim.advance(now=dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC))  # 19:00 on the 19th at UTC-8
    late = sim.approve_mr(project="acme/app")
    sim.advance(now=NOW)

    def approvals(**params: str) -> set[int]:
        found = get(sim, "/projects/101/events", action="approved", per_page=100, **params)
        return {e["id"] for e in found.json()}

    assert late not in approvals(after="2026-11-20") and late in approvals(after="2026-11-19")
    sim.configure(time_zone="Etc/GMT+8")  # UTC-8 (the zone database's sign is reversed)
    assert late in approvals(after="2026-11-18") and late not in approvals(after="2026-11-19")
    assert late in approvals(before="2026-11-20") and late not in approvals(before="2026-11-19")
    with pytest.raises(ValueError, match="time_zone"):
        sim.configure(time_zone="Mars/Olympus")


def test_group_embeds_its_projects_unless_told_not_to(sim: SimServer) -> None:
    # lib/api/groups.rb: `optional :with_projects, type: Boolean, default: true`
    # (Entities::GroupDetail embeds projects and shared_projects)
    full = get(sim, "/groups/acme").json()
    assert {p["path_with_namespace"] for p in full["projects"]} == {
        "acme/app",
        "acme/app-fork",
        "acme/docs",
        "acme/empty",
        "acme/handbook",
        "acme/legacy",
    }
    assert [p["path_with_namespace"] for p in full["shared_projects"]] == ["partners/shared-lib"]
    bare = get(sim, "/groups/acme", with_projects="false").json()
    assert "projects" not in bare and "shared_projects" not in bare
    assert bare["full_path"] == "acme"


def test_a_project_without_a_repository_and_an_empty_one(sim: SimServer) -> None:
    # lib/api/commits.rb: `not_found! 'Repository' unless user_project.repository_exists?`;
    # lib/api/entities/basic_project_details.rb: default_branch is `default_branch_or_main`,
    # the instance default for a repository with no branch (or none at all)
    for path in ("acme%2Fempty", "acme%2Fhandbook"):
        project = get(sim, f"/projects/{path}").json()
        assert (project["default_branch"], project["empty_repo"]) == ("main", True)
    missing = get(sim, "/projects/acme%2Fhandbook/repository/commits", ref_name="main")
    assert (missing.status_code, missing.json()) == (404, {"message": "404 Repository Not Found"})
    empty = get(sim, "/projects/acme%2Fempty/repository/commits", ref_name="main", per_page=100)
    assert (empty.status_code, empty.json(), "next" in empty.links) == (200, [], False)
    branch = get(sim, "/projects/acme%2Fempty/repository/branches/main")
    assert branch.status_code == 404


def test_commits_carry_trailers_only_when_asked(sim: SimServer) -> None:
    # lib/api/commits.rb: `optional :trailers, type: Boolean, default: false`; only then are
    # lib/api/entities/commit.rb's `trailers` and `extended_trailers` filled (else {})
    path = "/projects/acme%2Fapp/repository/commits"
    plain = get(sim, path, per_page=100).json()
    assert all(c["trailers"] == {} and c["extended_trailers"] == {} for c in plain)
    asked = {c["id"]: c for c in get(sim, path, per_page=100, trailers="true").json()}
    named = [c for c in asked.values() if c["extended_trailers"]]
    assert named  # the demo's co-authored commits are among the newest
    for item in named:
        truth = sim.dataset.commits[item["id"]].coauthors
        values = [v for k, vs in item["extended_trailers"].items()
                  if k.lower() == "co-authored-by" for v in vs]  # fmt: skip
        assert [identity(v) for v in values if identity(v)] == [
            {"name": name, "email": email} for name, email in truth
        ]
        assert item["trailers"] == {k: vs[-1] for k, vs in item["extended_trailers"].items()}
    sim.configure(commit_trailers=False)  # a GitLab older than the fields: the message only
    older = get(sim, path, per_page=100, trailers="true").json()
    assert all("trailers" not in c and "extended_trailers" not in c for c in older)
    assert {c["id"]: c["message"] for c in older} == {k: c["message"] for k, c in asked.items()}


def test_the_demos_trailers_read_as_the_generator_wrote_them(sim: SimServer) -> None:
    """git's reading of each demo message (the simulator's, as Gitaly's) is the record the
    oracle counts from, including the shapes that credit nobody."""
    written = [c for c in sim.dataset.commits.values() if "uthored-by" in c.message.lower()]
    assert len(written) == 10
    for commit in written:
        values = [v for k, v in parse(commit.message) if k.lower() == "co-authored-by"]
        people = [identity(v) for v in values]
        assert [p for p in people if p] == [{"name": n, "email": e} for n, e in commit.coauthors]
