"""Full extraction of the demo organisation over HTTP: exact rows, manifest, state, requests."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import ConfigError
from pipeline.extract import command as extract_mod
from pipeline.extract.store.state import read_state, read_users
from pipeline.roster.teams import read_roster
from pipeline.sim import SimConfig, SimServer
from tests.extract.support import (
    NOW,
    SAMPLE_TEAMS,
    expected_commits,
    expected_events,
    expected_items,
    expected_projects,
    read_raw,
    settings_for,
    since_of,
)

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


@pytest.fixture(scope="module")
def full_run(sim: SimServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("full") / "data"
    settings = settings_for(sim, data)
    sim.reset_stats()
    result = extract_mod.extract(settings)
    return {"data": data, "settings": settings, "result": result, "stats": sim.stats()}


def test_projects_in_scope_exactly(sim: SimServer, full_run: dict[str, Any]) -> None:
    projects = read_raw(full_run["data"], "projects")
    assert set(projects["id"]) == expected_projects(sim)
    by_path = {row["path_with_namespace"]: row for row in projects.to_dicts()}
    assert "partners/shared-lib" not in by_path  # shared into acme, not acme's
    assert "acme/legacy" in by_path  # archived: its history is real work
    assert by_path["acme/app-fork"]["forked_from_project_id"] == 101
    api = sim.dataset.projects[by_path["acme/platform/api"]["id"]]
    assert {k: v for k, v in by_path["acme/platform/api"].items() if k != "_extracted_at"} == {
        "id": api.id,
        "path_with_namespace": "acme/platform/api",
        "default_branch": "develop",
        "forked_from_project_id": None,
        "web_url": api.web_url,
    }


def test_every_commit_mr_and_issue_exactly_once(sim: SimServer, full_run: dict[str, Any]) -> None:
    data, since = full_run["data"], since_of(full_run["settings"])
    projects = expected_projects(sim)
    commits = read_raw(data, "commits")
    pairs = list(zip(commits["project_id"], commits["id"], strict=True))
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == expected_commits(sim, projects, since)
    for kind in ("merge_requests", "issues"):
        frame = read_raw(data, kind)
        assert frame.height == frame["id"].n_unique()
        assert set(frame["id"]) == expected_items(sim, kind, projects, since)


def test_every_review_event_exactly_once(sim: SimServer, full_run: dict[str, Any]) -> None:
    data, since = full_run["data"], since_of(full_run["settings"])
    events = read_raw(data, "events")
    assert events.height == events["id"].n_unique()
    assert set(events["id"]) == expected_events(sim, expected_projects(sim), since)
    manifest = full_run["result"].manifest
    assert manifest["rows"]["events"] == events.height
    app = {e["what"]: e for e in manifest["listings"] if e.get("project") == "acme/app"}
    for action in ("approved", "commented"):
        entry = app[f"events:{action}"]
        # read to its end below the count cap; every event counted was seen (none hidden)
        assert (entry["check"], entry["unseen"]) == ("end-of-list", 0)
        assert entry["rows"] == entry["x_total"] > 0


def test_event_rows_match_the_server(sim: SimServer, full_run: dict[str, Any]) -> None:
    ds = sim.dataset
    events = read_raw(full_run["data"], "events")
    for row in events.to_dicts():
        source = ds.events[row["id"]]
        assert row["project_id"] == source.project_id
        assert row["author_username"] == ds.users[source.author].username
        assert row["created_at"] == source.created_at
        if source.action == "approved":
            mr = ds.merge_requests[source.target_id]
            assert (row["action_name"], row["target_type"]) == ("approved", "MergeRequest")
            assert (row["target_id"], row["note"]) == (mr.id, None)
        else:
            note = row["note"]
            assert row["action_name"] == "commented on"
            assert note["id"] == row["target_id"] == source.target_id
            assert (note["noteable_type"], note["noteable_id"], note["system"]) == (
                source.noteable_type,
                source.noteable_id,
                source.system,
            )


def test_commit_row_matches_the_server(sim: SimServer, full_run: dict[str, Any]) -> None:
    ds = sim.dataset
    commits = read_raw(full_run["data"], "commits").filter(project_id=106).sort("authored_date")
    row = commits.row(0, named=True)
    source = ds.commits[row["id"]]
    assert {k: v for k, v in row.items() if k != "_extracted_at"} == {
        "project_id": 106,
        "id": source.sha,
        "title": source.title,
        "author_name": source.author_name,
        "author_email": source.author_email,
        "authored_date": source.authored_date,
        "parent_count": len(source.parent_ids),
        "coauthors": [],
    }


def test_users_resolved_and_cached(sim: SimServer, full_run: dict[str, Any]) -> None:
    users = read_raw(full_run["data"], "users")
    known = {u.username.lower(): u for u in sim.dataset.users.values()}
    roster = set(read_roster(SAMPLE_TEAMS).usernames)
    assert set(users["username"].str.to_lowercase()) == roster & set(known)
    cache = read_users(full_run["data"] / "state")
    assert set(cache.unknown) == roster - set(known)
    for row in users.to_dicts():
        user = known[row["username"].lower()]
        assert (row["id"], row["public_email"], row["bot"]) == (
            user.id,
            user.public_email or None,
            user.bot,
        )


def test_manifest_fields_and_checks(sim: SimServer, full_run: dict[str, Any]) -> None:
    data = full_run["data"]
    manifest = json.loads((data / "manifest.json").read_text())
    assert manifest == full_run["result"].manifest
    assert list(manifest) == [
        "run_id", "status", "mode", "started_at", "finished_at", "as_of", "gitlab_url",
        "gitlab_version", "scope", "since", "last_full_refresh", "rows", "requests", "listings",
    ]  # fmt: skip
    assert (manifest["status"], manifest["mode"]) == ("complete", "full")
    for key in ("started_at", "finished_at", "as_of", "last_full_refresh"):
        assert TIME.match(manifest[key]), key
    assert manifest["as_of"] == manifest["finished_at"]
    assert manifest["gitlab_url"] == sim.url and manifest["gitlab_version"] == "18.5.0"
    assert manifest["scope"] == {"groups": ["acme"], "projects": []}
    assert manifest["since"] == full_run["settings"].since.isoformat()
    commits = read_raw(data, "commits")
    assert manifest["rows"]["commits"] == commits.height
    assert manifest["rows"]["projects"] == len(expected_projects(sim))
    assert manifest["requests"]["total"] == full_run["stats"]["requests"]
    checks = {
        (entry["what"], entry.get("project") or entry.get("group")): entry
        for entry in manifest["listings"]
    }
    mrs = checks[("merge_requests", "acme")]
    assert mrs["check"] == "x-total" and mrs["rows"] == mrs["x_total"]
    app = checks[("commits", "acme/app")]
    assert app["check"] == "end-of-list" and app["x_total"] is None
    assert app["rows"] == commits.filter(project_id=101).height
    assert app["pages"] == app["rows"] // 100 + 1
    assert sim.token not in (data / "manifest.json").read_text()


def test_state_records_heads_without_branch_reads(sim: SimServer, full_run: dict[str, Any]) -> None:
    state = read_state(full_run["data"] / "state")
    assert state is not None
    ds = sim.dataset
    for pid in expected_projects(sim):
        project = ds.projects[pid]
        if project.default_branch not in project.branches:
            assert pid not in state.heads  # an empty repository, or none: no head to keep
            continue
        assert state.heads[pid].branch == project.default_branch
        assert state.heads[pid].sha == project.branches[project.default_branch]
    assert {"merge_requests/g10", "issues/g10"} <= set(state.watermarks)


def test_request_count_is_the_necessary_count(sim: SimServer, full_run: dict[str, Any]) -> None:
    """Pages each listing needs at 100 a page, discovery, one `/users/:id` per roster user
    GitLab has, and a `/users?username=` only for those no extracted item names."""
    manifest = full_run["result"].manifest
    pages = 0
    since = since_of(full_run["settings"])
    projects = expected_projects(sim)
    commits = expected_commits(sim, projects, since)
    for pid in projects:
        # GitLab's uncounted commits listing announces a next page after every full page
        pages += sum(1 for p, _ in commits if p == pid) // 100 + 1
    for kind in ("merge_requests", "issues"):
        pages += max(1, math.ceil(len(expected_items(sim, kind, projects, since)) / 100))
    for pid in projects:  # each project's approval and comment events
        for action in ("approved", "commented"):
            found = expected_events(sim, {pid}, since, action)
            pages += max(1, math.ceil(len(found) / 100))
    cache = read_users(full_run["data"] / "state")
    ds = sim.dataset
    named = {e.author for e in ds.events.values() if e.id in expected_events(sim, projects, since)}
    for item in [
        *(ds.merge_requests[i] for i in expected_items(sim, "merge_requests", projects, since)),
        *(ds.issues[i] for i in expected_items(sim, "issues", projects, since)),
    ]:
        named |= {item.author, getattr(item, "merged_by", None), item.closed_by}
    names = {u.username.lower() for u in ds.users.values() if u.id in named}
    searched = [n for n in [*cache.users, *cache.unknown] if n not in names]
    assert 0 < len(searched) < len(cache.users)  # lena (no activity), ghost-user (no account)
    # version, group, discovery, the pages, the users
    necessary = 1 + 1 + 1 + pages + len(cache.users) + len(searched)
    total = manifest["requests"]["total"]
    assert necessary <= total <= necessary * 1.05
    # a project without a repository costs its one request (GitLab's 404) and holds no page
    absent = sum(1 for pid in projects if not sim.dataset.projects[pid].repository)
    assert absent == 1
    assert sum(entry["pages"] for entry in manifest["listings"]) == pages + 1 - absent


def test_token_appears_nowhere_in_the_output(sim: SimServer, full_run: dict[str, Any]) -> None:
    token = sim.token.encode()
    for path in full_run["data"].rglob("*"):
        if path.is_file():
            assert token not in path.read_bytes(), path


def test_gitlab_url_is_required(tmp_path: Path) -> None:
    from pipeline.config import settings_from_env

    with pytest.raises(ConfigError, match="GITLAB_URL"):
        extract_mod.run_extract(settings_from_env({"LEADERBOARD_DATA_DIR": str(tmp_path)}))


def test_a_project_without_a_repository_and_an_empty_one(full_run: dict[str, Any]) -> None:
    # lib/api/commits.rb answers 404 "Repository Not Found" for a project without one: no
    # commits, the reason in the manifest, the run goes on; an empty repository (which still
    # reports a default branch) costs one empty page
    listings = full_run["result"].manifest["listings"]
    commits = {e["project"]: e for e in listings if e["what"] == "commits"}
    assert commits["acme/handbook"] == {
        "what": "commits",
        "project": "acme/handbook",
        "pages": 0,
        "rows": 0,
        "x_total": None,
        "check": "no-repository",
        "retries": 0,
        "slices": [{"start": {}, "pages": 0, "rows": 0, "x_total": None, "check": "no-repository"}],
        "reason": "404 Repository Not Found",
        "malformed_coauthors": 0,
    }
    empty = commits["acme/empty"]
    assert (empty["pages"], empty["rows"], empty["check"]) == (1, 0, "end-of-list")
    raw = read_raw(full_run["data"], "commits")
    assert raw.filter(raw["project_id"].is_in([107, 108])).height == 0
