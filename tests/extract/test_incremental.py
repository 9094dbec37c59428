"""Incremental runs: after each way the server moves on, full + incremental == a fresh full run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipeline.extract.command import ExtractResult, extract
from pipeline.extract.store.state import read_state
from pipeline.sim import SimConfig, SimServer
from tests.extract.support import NOW, read_raw, settings_for

KEYS = {
    "commits": ["project_id", "id"],
    "merge_requests": ["id"],
    "issues": ["id"],
    "projects": ["id"],
    "users": ["id"],
    "events": ["id"],
}


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


def run(sim: SimServer, data: Path, **env: str) -> ExtractResult:
    return extract(settings_for(sim, data, **env))


def assert_same_raw(got: Path, want: Path) -> None:
    """Every raw table, deduplicated and scoped as staging SQL does, equal row for row."""
    for table, key in KEYS.items():
        a = staged(got, table).drop("_extracted_at").sort(key)
        b = staged(want, table).drop("_extracted_at").sort(key)
        if not a.equals(b):
            only_a = a.join(b, on=key, how="anti").select(key).head(5).to_dicts()
            only_b = b.join(a, on=key, how="anti").select(key).head(5).to_dicts()
            raise AssertionError(f"{table} differ: only incremental {only_a}, only full {only_b}")
    state_a, state_b = read_state(got / "state"), read_state(want / "state")
    assert state_a is not None and state_b is not None
    assert state_a.heads == state_b.heads


def staged(data: Path, table: str) -> pl.DataFrame:
    """MRs and issues count only for projects in raw/projects (a dropped project's linger)."""
    frame = read_raw(data, table)
    if table in ("merge_requests", "issues"):
        frame = frame.filter(pl.col("project_id").is_in(read_raw(data, "projects")["id"].implode()))
    return frame


def incremental_matches_full(
    sim: SimServer, tmp_path: Path, change: Callable[[SimServer], Any]
) -> ExtractResult:
    data = tmp_path / "data"
    assert run(sim, data).manifest["mode"] == "full"
    change(sim)
    result = run(sim, data)
    assert result.manifest["mode"] == "incremental"
    run(sim, tmp_path / "reference")
    assert_same_raw(data, tmp_path / "reference")
    return result


def listing(result: ExtractResult, what: str, owner: str) -> dict[str, Any]:
    found = [
        entry
        for entry in result.manifest["listings"]
        if entry["what"] == what and owner in (entry.get("project"), entry.get("group"))
    ]
    assert len(found) == 1, result.manifest["listings"]
    return found[0]


def test_new_commits_are_listed_as_a_range(sim: SimServer, tmp_path: Path) -> None:
    result = incremental_matches_full(sim, tmp_path, lambda s: s.add_commits("acme/app", n=3))
    entry = listing(result, "commits", "acme/app")
    assert (entry["check"], entry["rows"], entry["pages"]) == ("range", 3, 1)


def test_old_dated_branch_merged(sim: SimServer, tmp_path: Path) -> None:
    result = incremental_matches_full(
        sim, tmp_path, lambda s: s.merge_old_branch("acme/platform/api", n=3, days_ago=40)
    )
    entry = listing(result, "commits", "acme/platform/api")
    assert (entry["check"], entry["rows"]) == ("range", 4)  # three old-dated + the merge commit


def test_merge_requests_merged_and_closed_issue_closed(sim: SimServer, tmp_path: Path) -> None:
    def change(s: SimServer) -> None:
        s.merge_mr(project="acme/app")
        s.close_mr(project="acme/platform/api")
        s.close_issue(project="acme/docs")
        s.open_issue(project="acme/legacy")

    incremental_matches_full(sim, tmp_path, change)


def test_reviews_after_a_day(sim: SimServer, tmp_path: Path) -> None:
    """Approvals and comments (a system note too) happen; the watermark day is read again."""

    def change(s: SimServer) -> None:
        s.approve_mr(project="acme/app")
        s.comment_mr(project="acme/app", by="chloe")
        s.comment_mr(project="acme/platform/api", by="alice", body="added 1 commit", system=True)
        s.approve_mr(project="acme/docs")
        s.simulate_activity(days=1, seed=3, share=0.5)  # reviews, merges, commits elsewhere

    result = incremental_matches_full(sim, tmp_path, change)
    entry = listing(result, "events:approved", "acme/app")
    assert entry["rows"] >= 1 and entry["pages"] == 1
    state = read_state(tmp_path / "data" / "state")
    assert state is not None and "events/p101/approved" in state.watermarks


def test_new_project_is_listed_in_full(sim: SimServer, tmp_path: Path) -> None:
    result = incremental_matches_full(
        sim, tmp_path, lambda s: s.add_project("acme/platform/newbie", commits=30)
    )
    entry = listing(result, "commits", "acme/platform/newbie")
    assert (entry["check"], entry["rows"]) == ("end-of-list", 30)


@pytest.mark.parametrize("keep_old", [True, False])
def test_force_push_relists_the_project(sim: SimServer, tmp_path: Path, keep_old: bool) -> None:
    result = incremental_matches_full(
        sim, tmp_path, lambda s: s.force_push("acme/platform/infra", keep_old=keep_old)
    )
    assert listing(result, "commits", "acme/platform/infra")["check"] == "end-of-list"


def test_renamed_default_branch_relists_the_project(sim: SimServer, tmp_path: Path) -> None:
    result = incremental_matches_full(
        sim, tmp_path, lambda s: s.rename_default_branch("acme/docs", "trunk")
    )
    assert listing(result, "commits", "acme/docs")["check"] == "end-of-list"
    state = read_state(tmp_path / "data" / "state")
    assert state is not None and state.heads[106].branch == "trunk"


def test_item_updated_while_its_listing_is_paged(sim: SimServer, tmp_path: Path) -> None:
    first_mr = min(sim.dataset.merge_requests.values(), key=lambda m: (m.created_at, m.id))
    first_issue = min(sim.dataset.issues.values(), key=lambda i: (i.created_at, i.id))
    sim.arm_hook("group_merge_requests", 1, "touch_mr", {"mr_id": first_mr.id})
    sim.arm_hook("group_issues", 1, "close_issue", {"issue_id": first_issue.id})
    incremental_matches_full(sim, tmp_path, lambda s: None)


def test_no_change_run_costs_a_branch_read_per_project(sim: SimServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(sim, data)
    sim.reset_stats()
    result = run(sim, data)
    routes = sim.stats()["by_route"]
    projects = result.manifest["rows"]["projects"]
    # a project with no head to read (an empty repository, one without a repository) is
    # listed again instead: one request, an empty page or GitLab's 404 "Repository Not Found"
    assert routes.pop("commits") == 2
    assert routes.pop("branch") == projects - 2
    assert routes.pop("project_events") == 2 * projects  # approvals and comments, a page each
    # version, the group, its project discovery, one page each of group MRs and issues
    assert routes == {
        "version": 1,
        "group": 1,
        "group_projects": 1,
        "group_merge_requests": 1,
        "group_issues": 1,
    }
    assert result.manifest["requests"]["total"] == 3 * projects + 5
    assert result.manifest["rows"] == read_manifest_rows(data)


def test_full_refresh_drops_items_deleted_upstream(sim: SimServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(sim, data)
    victim = max(sim.dataset.merge_requests)
    sim.delete_mr(victim)
    assert victim in set(read_raw(data, "merge_requests")["id"])
    run(sim, data)  # incremental: a deleted item lingers
    assert victim in set(read_raw(data, "merge_requests")["id"])
    assert run(sim, data, LEADERBOARD_FULL_REFRESH="1").manifest["mode"] == "full"
    assert victim not in set(read_raw(data, "merge_requests")["id"])
    assert len(list((data / "raw" / "merge_requests" / "g10").glob("*.parquet"))) == 1


def test_projects_named_one_by_one(sim: SimServer, tmp_path: Path) -> None:
    env = {"LEADERBOARD_GROUPS": "", "LEADERBOARD_PROJECTS": "acme/docs,105"}
    data = tmp_path / "data"
    run(sim, data, **env)
    sim.add_commits("acme/docs", n=2)
    sim.close_issue(project="acme/platform/infra")
    result = run(sim, data, **env)
    assert result.manifest["mode"] == "incremental"
    run(sim, tmp_path / "reference", **env)
    assert_same_raw(data, tmp_path / "reference")
    assert set(read_raw(data, "projects")["id"]) == {105, 106}
    assert {e["what"] for e in result.manifest["listings"]} == {
        "commits",
        "merge_requests",
        "issues",
        "events:approved",
        "events:commented",
    }


def test_shards_split_projects_and_union_to_the_whole(sim: SimServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for index in ("1", "2"):
        run(sim, data, CI_NODE_INDEX=index, CI_NODE_TOTAL="2")
    run(sim, tmp_path / "whole")
    shards = [data / "shard-1", data / "shard-2"]
    ids = [set(read_raw(shard, "projects")["id"]) for shard in shards]
    assert not ids[0] & ids[1]
    assert ids[0] | ids[1] == set(read_raw(tmp_path / "whole", "projects")["id"])
    assert not (shards[1] / "raw" / "merge_requests").exists()
    commits = pl.concat([read_raw(shard, "commits") for shard in shards]).drop("_extracted_at")
    whole = read_raw(tmp_path / "whole", "commits").drop("_extracted_at")
    assert commits.sort(KEYS["commits"]).equals(whole.sort(KEYS["commits"]))


def read_manifest_rows(data: Path) -> dict[str, int]:
    return {table: read_raw(data, table).height for table in KEYS}


def test_project_no_longer_discovered_is_dropped(sim: SimServer, tmp_path: Path) -> None:
    def move_out(s: SimServer) -> None:
        with s.dataset.lock:  # moved to another group: out of scope from now on
            s.dataset.projects[105].namespace_id = 20
            s.dataset.version += 1

    incremental_matches_full(sim, tmp_path, move_out)
    data = tmp_path / "data"
    assert not (data / "raw" / "commits" / "p105").exists()
    assert 105 not in set(read_raw(data, "projects")["id"])


def test_new_roster_names_are_looked_up_once(sim: SimServer, tmp_path: Path) -> None:
    data, teams = tmp_path / "data", tmp_path / "teams.csv"
    teams.write_text("team,username\nA,alice\nA,nobody-here\n")
    run(sim, data, LEADERBOARD_TEAMS=str(teams))
    teams.write_text("team,username\nA,alice\nA,nobody-here\nB,Mallory\n")
    sim.reset_stats()
    run(sim, data, LEADERBOARD_TEAMS=str(teams))
    routes = sim.stats()["by_route"]
    # only the new name, by the id her MRs carry: no username search
    assert (routes.get("users_search", 0), routes["user"]) == (0, 1)
    assert set(read_raw(data, "users")["username"]) == {"alice", "mallory"}
    teams.write_text("team,username\nB,mallory\n")
    run(sim, data, LEADERBOARD_TEAMS=str(teams))
    assert set(read_raw(data, "users")["username"]) == {"mallory"}


def test_state_without_its_raw_data_runs_full(sim: SimServer, tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    run(sim, data)
    shutil.rmtree(data / "raw" / "commits" / "p101")
    result = run(sim, data)
    assert result.manifest["mode"] == "full"
    assert (data / "raw" / "commits" / "p101").is_dir()
