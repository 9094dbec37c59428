"""The simulator over HTTP: GitLab shapes, pagination, auth, scope defaults, refs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import requests

from pipeline.sim import SimConfig, SimServer

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(now=NOW)) as server:
        yield server


def get(sim: SimServer, path: str, **params: object) -> requests.Response:
    return requests.get(
        f"{sim.url}/api/v4{path}", headers={"PRIVATE-TOKEN": sim.token}, params=params, timeout=10
    )


def test_pages_carry_gitlab_headers_and_links(sim: SimServer) -> None:
    q = {"scope": "all", "state": "all", "order_by": "created_at", "sort": "asc", "per_page": 50}
    r = get(sim, "/groups/acme/merge_requests", page=2, **q)
    total = sum(1 for mr in sim.dataset.merge_requests.values() if mr.project_id not in (104, 201))
    pages = -(-total // 50)
    base = f"{sim.url}/api/v4/groups/acme/merge_requests?scope=all&state=all&order_by=created_at"
    link = lambda n: f"<{base}&sort=asc&per_page=50&page={n}>"  # noqa: E731
    assert {k: v for k, v in r.headers.items() if k.startswith(("x-", "Link"))} == {
        "x-page": "2",
        "x-per-page": "50",
        "x-next-page": "3",
        "x-prev-page": "1",
        "x-total": str(total),
        "x-total-pages": str(pages),
        "Link": f'{link(1)}; rel="prev", {link(3)}; rel="next", {link(1)}; rel="first", '
        f'{link(pages)}; rel="last"',
    }
    ids = [mr["id"] for mr in r.json()]
    assert len(ids) == 50 and ids == sorted(ids)


def test_following_next_links_visits_every_item_once(sim: SimServer) -> None:
    url = f"{sim.url}/api/v4/groups/10/issues?non_archived=false&per_page=7&sort=asc"
    seen: list[int] = []
    while url:
        r = requests.get(url, headers={"Authorization": f"Bearer {sim.token}"}, timeout=10)
        seen += [item["id"] for item in r.json()]
        url = r.links.get("next", {}).get("url", "")
    expected = sorted(i.id for i in sim.dataset.issues.values() if i.project_id != 201)
    assert seen == expected
    assert r.headers["x-next-page"] == "" and "last" in r.links


def test_commits_never_carry_totals_and_follow_git_log_order(sim: SimServer) -> None:
    r = get(sim, "/projects/acme%2Fapp/repository/commits", per_page=100, ref_name="main")
    assert "x-total" not in r.headers and "x-total-pages" not in r.headers
    assert 'rel="last"' not in r.headers["Link"]
    assert [c["id"] for c in r.json()] == sim.dataset.reachable(101, "main")[:100]
    assert r.json()[0]["id"] == sim.dataset.projects[101].branches["main"]


def test_a_full_commits_page_always_announces_another(sim: SimServer) -> None:
    n = len(sim.dataset.reachable(106, "main"))
    assert n % 2 == 0
    full = get(sim, "/projects/106/repository/commits", per_page=n // 2, page=2)
    assert len(full.json()) == n // 2 and full.headers["x-next-page"] == "3"
    empty = requests.get(full.links["next"]["url"], headers={"PRIVATE-TOKEN": sim.token})
    assert empty.json() == [] and empty.headers["x-next-page"] == "" and "next" not in empty.links


def test_auth_is_required(sim: SimServer) -> None:
    for headers in ({}, {"PRIVATE-TOKEN": "wrong"}, {"Authorization": "Bearer wrong"}):
        r = requests.get(f"{sim.url}/api/v4/version", headers=headers, timeout=10)
        assert (r.status_code, r.json()) == (401, {"message": "401 Unauthorized"})
    r = requests.get(f"{sim.url}/api/v4/version", headers={"Authorization": "Bearer sim-token"})
    assert r.json()["version"] == "18.5.0"


def test_unknown_routes_and_objects_answer_gitlab_404s(sim: SimServer) -> None:
    assert get(sim, "/projects/101/pipelines").json() == {"message": "404 Not Found"}
    assert get(sim, "/nothing").status_code == 404
    r = get(sim, "/projects/acme%2Fnope")
    assert (r.status_code, r.json()) == (404, {"message": "404 Project Not Found"})
    r = get(sim, "/projects/101/repository/branches/nope")
    assert (r.status_code, r.json()) == (404, {"message": "404 Branch Not Found"})


def test_group_projects_include_shared_unless_asked_not_to(sim: SimServer) -> None:
    def paths(**params: object) -> list[str]:
        return sorted(
            p["path_with_namespace"] for p in get(sim, "/groups/acme/projects", **params).json()
        )

    ours = ["acme/app", "acme/app-fork", "acme/docs", "acme/empty", "acme/handbook", "acme/legacy"]
    assert paths() == [*ours, "partners/shared-lib"]
    assert paths(with_shared="false") == ours
    sub = ["acme/platform/api", "acme/platform/infra"]
    assert paths(include_subgroups="true", with_shared="false") == sorted(ours + sub)
    fork = next(p for p in get(sim, "/groups/10/projects").json() if p["id"] == 103)
    assert fork["forked_from_project"]["id"] == 101
    assert paths(archived="true") == ["acme/legacy"]


def test_group_items_skip_archived_by_default_and_never_shared(sim: SimServer) -> None:
    def projects(**params: object) -> set[int]:
        r = get(sim, "/groups/acme/merge_requests", per_page=100, **params)
        assert "x-total" in r.headers
        got = {mr["project_id"] for mr in r.json()}
        while "next" in r.links:
            r = requests.get(r.links["next"]["url"], headers={"PRIVATE-TOKEN": sim.token})
            got |= {mr["project_id"] for mr in r.json()}
        return got

    assert projects() == {101, 102, 103, 105, 106}
    assert projects(non_archived="false") == {101, 102, 103, 104, 105, 106}


def test_item_filters_are_inclusive(sim: SimServer) -> None:
    mr = next(m for m in sim.dataset.merge_requests.values() if m.project_id == 101)
    stamp = mr.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    r = get(sim, "/projects/101/merge_requests", updated_after=stamp, updated_before=stamp)
    assert mr.id in [m["id"] for m in r.json()]
    assert [m["id"] for m in r.json()] == [
        m.id
        for m in sorted(sim.dataset.merge_requests.values(), key=lambda m: -m.id)
        if m.project_id == 101 and m.updated_at == mr.updated_at
    ]
    assert get(sim, "/projects/101/issues", order_by="title").status_code == 400


def test_ref_ranges_and_merge_base(sim: SimServer) -> None:
    app = sim.dataset.projects[101]
    main = app.branches["main"]
    only_release = get(sim, "/projects/101/repository/commits", ref_name="main..release/1.x")
    assert [c["title"] for c in only_release.json()] == [
        f"Backport fix #{n} to 1.x" for n in (4, 3, 2, 1)
    ]
    base = get(sim, "/projects/101/repository/merge_base", **{"refs[]": [main, "release/1.x"]})
    assert base.json()["id"] == sim.dataset.commits[only_release.json()[-1]["id"]].parent_ids[0]
    r = get(sim, "/projects/101/repository/merge_base", **{"refs[]": ["main", "f" * 40]})
    assert (r.status_code, r.json()) == (400, {"message": f"Could not find ref: {'f' * 40}"})
    lib = sim.dataset.projects[201].branches["main"]
    r = get(sim, "/projects/101/repository/merge_base", **{"refs[]": [main, lib]})
    assert (r.status_code, r.json()) == (404, {"message": "404 Merge Base Not Found"})
    r = get(sim, "/projects/101/repository/merge_base", refs=f"main,{main}")
    assert r.json()["id"] == main
    r = get(sim, "/projects/101/repository/merge_base", **{"refs[]": ["x", "y"]})
    assert r.json() == {"message": "Could not find refs: x, y"}
    r = get(sim, "/projects/101/repository/merge_base", **{"refs[]": ["main"]})
    assert (r.status_code, r.json()) == (400, {"message": "Provide at least 2 refs"})


def test_fork_shares_history_with_upstream(sim: SimServer) -> None:
    ds = sim.dataset
    fork, app = set(ds.reachable(103, "main")), set(ds.reachable(101, "main"))
    assert len(fork & app) > 50 and fork - app and app - fork


def test_users_lookup_shapes(sim: SimServer) -> None:
    basic = {
        "id": 18,
        "username": "OKhan",
        "name": "Omar Khan",
        "state": "active",
        "locked": False,
        "avatar_url": f"{sim.url}/uploads/-/system/user/avatar/18/avatar.png",
        "web_url": f"{sim.url}/OKhan",
    }
    assert get(sim, "/users", username="okhan").json() == [basic]
    assert get(sim, "/users", username="nobody").json() == []
    full = get(sim, "/users/18").json()
    assert full["public_email"] == "omar.khan@acme.example" and full["bot"] is False
    assert get(sim, "/users/14").json()["bot"] is True
    assert get(sim, "/users/3").json()["public_email"] == ""


def test_blocked_and_banned_users_are_hidden_from_username_search_only(sim: SimServer) -> None:
    """app/finders/users_finder.rb: a non-admin's `/users` excludes
    `User::FORBIDDEN_SEARCH_STATES` (blocked, banned, ldap_blocked; app/models/user.rb), while
    `GET /users/:id` still answers with the state (app/policies/user_policy.rb)."""
    ds = sim.dataset
    assert (ds.users[20].state, ds.users[21].state) == ("blocked", "banned")
    with ds.lock:
        ds.users[13].state = "ldap_blocked"  # lena
    for name in ("rosa", "sam", "lena"):
        assert get(sim, "/users", username=name).json() == []
    everyone = {u["username"] for u in get(sim, "/users", per_page=100).json()}
    assert {"rosa", "sam", "lena"}.isdisjoint(everyone) and "alice" in everyone
    states = {uid: get(sim, f"/users/{uid}").json()["state"] for uid in (13, 20, 21)}
    assert states == {13: "ldap_blocked", 20: "blocked", 21: "banned"}
    mr = next(m for m in ds.merge_requests.values() if m.author == 20)
    listed = get(sim, f"/projects/{mr.project_id}/merge_requests", per_page=100).json()
    author = next(m["author"] for m in listed if m["id"] == mr.id)
    assert (author["id"], author["username"], author["state"]) == (20, "rosa", "blocked")


def test_a_renamed_user_keeps_the_private_commit_address_of_the_old_name(sim: SimServer) -> None:
    """lib/gitlab/private_commit_email.rb: `ID-USERNAME@hostname`, and a rename changes only
    what GitLab shows: tara's older commits say `22-tbaker@...`, the API says tara."""
    noreply = sim.dataset.noreply_domain
    emails = {c.author_email for c in sim.dataset.commits.values()}
    assert {f"22-tbaker@{noreply}", f"22-tara@{noreply}", f"20-rosa@{noreply}"} <= emails
    assert get(sim, "/users", username="tbaker").json() == []
    assert get(sim, "/users", username="tara").json()[0]["id"] == 22
    assert get(sim, "/users/22").json()["username"] == "tara"


def test_items_embed_basic_users_only(sim: SimServer) -> None:
    merged = next(m for m in sim.dataset.merge_requests.values() if m.state == "merged")
    r = get(sim, f"/projects/{merged.project_id}/merge_requests", state="merged", per_page=100)
    body = next(m for m in r.json() if m["id"] == merged.id)
    assert body["merged_by"] == body["merge_user"]
    assert set(body["author"]) == {
        "id",
        "username",
        "name",
        "state",
        "locked",
        "avatar_url",
        "web_url",
    }
    assert body["created_at"].endswith("Z") and body["merged_at"] is not None


def test_noreply_addresses_use_the_configured_domain(sim: SimServer) -> None:
    emails = {c.author_email for c in sim.dataset.commits.values()}
    assert {"chloe@users.noreply.127.0.0.1", "4-chloe@users.noreply.127.0.0.1"} <= emails
