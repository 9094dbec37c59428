"""The simulator moves on: mutations seen over HTTP, as an incremental extractor would see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import requests

from pipeline.sim import SimConfig, SimServer

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture()
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(now=NOW)) as server:
        yield server


def get(sim: SimServer, path: str, **params: object) -> requests.Response:
    return requests.get(
        f"{sim.url}/api/v4{path}", headers={"PRIVATE-TOKEN": sim.token}, params=params, timeout=10
    )


def head(sim: SimServer, project: str, branch: str = "main") -> str:
    enc = project.replace("/", "%2F")
    return str(get(sim, f"/projects/{enc}/repository/branches/{branch}").json()["commit"]["id"])


def all_pages(sim: SimServer, path: str, **params: object) -> list[dict[str, object]]:
    r = get(sim, path, per_page=100, **params)
    out = r.json()
    while "next" in r.links:
        r = requests.get(r.links["next"]["url"], headers={"PRIVATE-TOKEN": sim.token}, timeout=10)
        out += r.json()
    return out


def merge_base(sim: SimServer, pid: int, a: str, b: str) -> requests.Response:
    return get(sim, f"/projects/{pid}/repository/merge_base", **{"refs[]": [a, b]})


def test_new_commits_are_exactly_the_range(sim: SimServer) -> None:
    old = head(sim, "acme/app")
    sim.advance(LATER)
    new_shas = sim.add_commits("acme/app", n=3, author="alice")
    new = head(sim, "acme/app")
    assert new == new_shas[0] and len(new_shas) == 3
    assert merge_base(sim, 101, old, new).json()["id"] == old
    rng = get(sim, "/projects/101/repository/commits", ref_name=f"{old}..{new}")
    assert [c["id"] for c in rng.json()] == new_shas
    assert {c["author_email"] for c in rng.json()} == {"alice@acme.example"}
    assert rng.json()[0]["committed_date"] == "2026-11-28T13:00:00.000Z"


def test_old_dated_merge_is_missed_by_since_but_not_by_the_range(sim: SimServer) -> None:
    old = head(sim, "acme/app")
    sim.advance(LATER)
    result = sim.merge_old_branch("acme/app", n=2, days_ago=21, author="bob")
    new = head(sim, "acme/app")
    rng = get(sim, "/projects/101/repository/commits", ref_name=f"{old}..{new}").json()
    assert [c["id"] for c in rng] == [result["merge"], *result["commits"]]
    assert len(rng[0]["parent_ids"]) == 2
    since = get(sim, "/projects/101/repository/commits", since=NOW.isoformat()).json()
    assert result["commits"][0] not in {c["id"] for c in since}
    assert result["merge"] in {c["id"] for c in since}


def test_force_push_keeping_and_dropping_old_commits(sim: SimServer) -> None:
    old = head(sim, "acme/platform/api", "develop")
    sim.advance(LATER)
    pushed = sim.force_push("acme/platform/api", rewrite=2, commits=1)
    assert pushed["old"] == old and head(sim, "acme/platform/api", "develop") == pushed["new"]
    assert merge_base(sim, 102, old, pushed["new"]).json()["id"] != old
    again = sim.force_push(102, rewrite=1, commits=1, keep_old=False)
    assert pushed["new"] in again["removed"]
    r = merge_base(sim, 102, pushed["new"], again["new"])
    assert (r.status_code, r.json()) == (400, {"message": f"Could not find ref: {pushed['new']}"})
    app_head = sim.dataset.projects[101].branches["main"]
    assert app_head in sim.dataset.commits  # other projects' history is untouched


def test_renamed_default_branch(sim: SimServer) -> None:
    old_head = head(sim, "acme/docs")
    sim.rename_default_branch("acme/docs", "trunk")
    assert get(sim, "/projects/106").json()["default_branch"] == "trunk"
    assert get(sim, "/projects/106/repository/branches/main").status_code == 404
    assert head(sim, "acme/docs", "trunk") == old_head
    gone = get(sim, "/projects/106/repository/commits", ref_name="main")
    assert (gone.status_code, gone.json()) == (200, [])  # GitLab: an unknown ref has no history


def test_item_changes_show_up_in_updated_after(sim: SimServer) -> None:
    sim.advance(LATER)
    merged = sim.merge_mr(project="acme/app", by="dmitri")
    closed = sim.close_issue(project=102)
    opened = sim.open_issue("acme/docs", author="erin", title="=1+2")
    stamp = LATER.isoformat()
    mrs = all_pages(sim, "/groups/acme/merge_requests", updated_after=stamp, non_archived="false")
    assert [(m["id"], m["state"], m["merged_by"]["username"]) for m in mrs] == [  # type: ignore[index]
        (merged, "merged", "dmitri")
    ]
    issues = all_pages(sim, "/groups/acme/issues", updated_after=stamp, sort="asc")
    assert [(i["id"], i["state"]) for i in issues] == [(closed, "closed"), (opened, "opened")]
    sim.delete_mr(merged)
    assert merged not in {m["id"] for m in all_pages(sim, "/projects/101/merge_requests")}


def test_hook_updates_and_adds_items_while_a_listing_is_paged(sim: SimServer) -> None:
    first = min(sim.dataset.merge_requests)
    sim.advance(LATER)
    sim.arm_hook("group_merge_requests", page=1, op="touch_mr", args={"mr_id": first})
    sim.arm_hook("group_merge_requests", page=1, op="open_mr", args={"project": "acme/app"})
    q = {"order_by": "created_at", "sort": "asc", "non_archived": "false"}
    seen = all_pages(sim, "/groups/acme/merge_requests", **q)
    ids = [m["id"] for m in seen]
    assert len(ids) == len(set(ids)) == len(sim.dataset.merge_requests) - 10
    assert ids[-1] == max(sim.dataset.merge_requests)
    assert sim.dataset.merge_requests[first].updated_at == LATER
    assert sim.stats()["pending_hooks"] == []


def test_new_project_and_a_simulated_day(sim: SimServer) -> None:
    pid = sim.add_project("acme/platform/new-svc", commits=5, mrs=1, issues=2)
    listed = get(sim, "/groups/acme/projects", include_subgroups="true", with_shared="false")
    assert "acme/platform/new-svc" in {p["path_with_namespace"] for p in listed.json()}
    assert len(get(sim, f"/projects/{pid}/repository/commits").json()) == 5
    summary = sim.simulate_activity(days=1, seed=1, share=0.5)
    assert sim.dataset.now == NOW + dt.timedelta(days=1)
    assert summary["projects"] == 4 and summary["commits"] >= 4


def test_mutations_over_http(sim: SimServer) -> None:
    url, headers = f"{sim.url}/_sim/mutate", {"PRIVATE-TOKEN": sim.token}
    r = requests.post(url, headers=headers, json={"op": "advance", "now": "2026-11-29T00:00:00Z"})
    assert r.json() == "2026-11-29T00:00:00+00:00"
    r = requests.post(url, headers=headers, json={"op": "add_commits", "project": 105, "n": 1})
    assert r.status_code == 200 and r.json() == [head(sim, "acme/platform/infra")]
    bad = requests.post(url, headers=headers, json={"op": "rm_rf"})
    assert bad.status_code == 400 and "unknown mutation" in bad.json()["message"]
    assert sim.stats()["mutations"] == 1
