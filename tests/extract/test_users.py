"""Roster users against the simulator: hidden users found by id, renames, budget, the 429 wait."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.extract.command import ExtractResult, extract
from pipeline.extract.gitlab import throttle
from pipeline.extract.store.state import read_users
from pipeline.sim import SimConfig, SimServer
from pipeline.sim.org.model import User
from tests.extract.support import NOW, read_raw, settings_for

HIDDEN_HINT = "hides blocked, banned and LDAP-blocked accounts from a non-admin token"


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


def run(sim: SimServer, data: Path, teams: Path, *names: str, **env: str) -> ExtractResult:
    teams.write_text("team,username\n" + "".join(f"T,{n}\n" for n in names), encoding="utf-8")
    return extract(settings_for(sim, data, LEADERBOARD_TEAMS=str(teams), **env))


def records(data: Path) -> dict[str, tuple[int, str]]:
    """Each resolved roster user's id (raw/users, what the build reads) and state (the cache in
    data/state keeps GitLab's whole record)."""
    cache = read_users(data / "state").users
    users = read_raw(data, "users")
    return {
        r["username"]: (r["id"], cache[r["username"].lower()]["state"])
        for r in users.iter_rows(named=True)
    }


def test_users_the_username_search_hides_are_found_by_the_ids_their_work_carries(
    sim: SimServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """app/finders/users_finder.rb hides blocked, banned and LDAP-blocked users from a
    non-admin's `/users?username=`; app/policies/user_policy.rb lets `/users/:id` show them.
    rosa (blocked) and sam (banned) authored MRs, issues and events; lena, LDAP-blocked here,
    did nothing, so nothing names her: she stays not found, with a warning that says why."""
    with sim.dataset.lock:
        sim.dataset.users[13].state = "ldap_blocked"
    data, teams = tmp_path / "data", tmp_path / "teams.csv"
    caplog.set_level(logging.WARNING, "leaderboard.extract")

    run(sim, data, teams, "rosa", "sam", "lena", "alice")

    assert records(data) == {
        "alice": (2, "active"),
        "rosa": (20, "blocked"),
        "sam": (21, "banned"),
    }
    routes = sim.stats()["by_route"]
    assert (routes["users_search"], routes["user"]) == (1, 3)  # lena's search; ids for the rest
    warnings = [r.getMessage() for r in caplog.records if "username: '" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith(f"{teams}:4:username: 'lena' was not")
    assert HIDDEN_HINT in warnings[0] and "not a GitLab user" not in warnings[0]
    assert read_users(data / "state").unknown.keys() == {"lena"}


def test_a_cached_id_now_under_another_name_is_searched_again(
    sim: SimServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data, teams = tmp_path / "data", tmp_path / "teams.csv"
    run(sim, data, teams, "alice", "bob")
    with sim.dataset.lock:
        sim.dataset.users[2].username = "alicia"  # renamed in GitLab, not yet in teams.csv
        sim.dataset.version += 1
    sim.reset_stats()
    caplog.set_level(logging.WARNING, "leaderboard.extract")

    run(sim, data, teams, "alice", "bob", LEADERBOARD_FULL_REFRESH="1")

    assert records(data) == {"bob": (3, "active")}
    assert read_users(data / "state").unknown.keys() == {"alice"}
    said = [r.getMessage() for r in caplog.records if "'alice'" in r.getMessage()]
    assert said[0] == (
        "roster user 'alice': GitLab user 2 is now 'alicia'; if that is the same person, "
        "rename them in teams.csv"
    )
    assert said[1].startswith(f"{teams}:2:username: 'alice' was not found")
    routes = sim.stats()["by_route"]
    assert (routes["users_search"], routes["user"]) == (1, 2)


def test_refreshes_are_spread_over_runs_within_a_budget(sim: SimServer, tmp_path: Path) -> None:
    """A run looks a user up only when the cache lacks the record or it is due, the oldest first,
    and no more than its budget: 10 of a limit of 12 (`users_get_by_id_limit`, which
    lib/gitlab/application_rate_limiter.rb applies per 10 minutes)."""
    data, teams = tmp_path / "data", tmp_path / "teams.csv"
    first = ["alice", "bob", "chloe", "dmitri", "erin", "farid", "grace", "hiro"]
    later = ["ines", "jules", "kim", "nadia"]
    run(sim, data, teams, *first)
    assert sim.stats()["by_route"]["user"] == 8
    stamps = {name: f"2020-01-0{i + 1}T00:00:00Z" for i, name in enumerate(first)}
    _age_cache(data, stamps)  # long due, hiro the newest
    sim.reset_stats()

    run(sim, data, teams, *first, *later, LEADERBOARD_USER_LOOKUP_LIMIT="12")

    assert sim.stats()["by_route"]["user"] == 10  # the 4 new names and the 6 oldest records
    cache = read_users(data / "state").users
    assert {n for n in first if cache[n]["_fetched_at"].startswith("2020")} == {"grace", "hiro"}
    sim.reset_stats()

    run(sim, data, teams, *first, *later, LEADERBOARD_USER_LOOKUP_LIMIT="12")

    assert sim.stats()["by_route"]["user"] == 2  # the two left over, nothing else is due
    assert not any(
        r["_fetched_at"].startswith("2020") for r in read_users(data / "state").users.values()
    )
    sim.reset_stats()
    run(sim, data, teams, *first, *later)
    assert "user" not in sim.stats()["by_route"]  # all fresh: no look-up at all


def test_gitlabs_users_limit_is_waited_out_never_failed_for(
    sim: SimServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """More look-ups than GitLab allows (lowered here to 3 per 2-second window, as
    lib/gitlab/application_rate_limiter.rb counts them): each 429 holds the `/users/:id`
    requests as its Retry-After says (the newest lib/api/helpers/rate_limiter.rb sends the
    window), is not an attempt (two attempts would fail a run here), and the run completes."""
    sim.configure(users_get_by_id_limit=3, users_get_by_id_interval=2)
    data, teams = tmp_path / "data", tmp_path / "teams.csv"
    names = ["alice", "bob", "chloe", "dmitri", "erin", "farid", "grace", "hiro", "ines", "kim"]
    caplog.set_level(logging.WARNING, "leaderboard.gitlab")

    result = run(sim, data, teams, *names, LEADERBOARD_RETRY_ATTEMPTS="2")

    assert set(records(data)) == set(names)
    stats = sim.stats()
    assert stats["rate_limited"] >= 1 and stats["by_route"]["user"] == 10 + stats["rate_limited"]
    assert result.manifest["requests"]["rate_limit_waits"] >= 1
    waits = [r.getMessage() for r in caplog.records if "HTTP 429" in r.getMessage()]
    assert waits and "waiting 2 s (its Retry-After) before more GET /users/:id requests" in waits[0]


def _age_cache(data: Path, stamps: dict[str, str]) -> None:
    path = data / "state" / "users.json"
    cache = json.loads(path.read_text(encoding="utf-8"))
    for name, stamp in stamps.items():
        cache["users"][name]["_fetched_at"] = stamp
    path.write_text(json.dumps(cache), encoding="utf-8")


def test_more_look_ups_than_the_limit_lets_through_wait_for_every_listing(
    sim: SimServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Planned look-ups beyond what GitLab lets through in one window run after every listing,
    paced by the extractor (GitLab's 10 minutes shortened to a second here, on both sides)."""
    monkeypatch.setattr(throttle, "USERS_BY_ID_WINDOW", 1.0)
    sim.configure(users_get_by_id_limit=3, users_get_by_id_interval=1)
    data, teams = tmp_path / "data", tmp_path / "teams.csv"
    names = ["alice", "bob", "chloe", "dmitri", "erin"]
    caplog.set_level(logging.WARNING, "leaderboard.extract")

    result = run(sim, data, teams, *names, LEADERBOARD_USER_LOOKUP_LIMIT="3")

    assert set(records(data)) == set(names) and result.users_looked_up == 5
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("looking up")]
    assert said == [
        "looking up 5 users after the listings: GitLab allows a non-admin token 3 user look-ups "
        "by id per 10 minutes (users_get_by_id), so this waits about 10 minutes"
    ]


def test_a_first_run_with_a_roster_over_300_completes(
    sim: SimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab's defaults (300 look-ups per window, lib/gitlab/application_rate_limiter.rb) with
    the window shortened to 2 seconds on both sides: 320 new names are looked up 290 at a time
    after the listings, and every record arrives."""
    monkeypatch.setattr(throttle, "USERS_BY_ID_WINDOW", 2.0)
    sim.configure(users_get_by_id_interval=2)
    with sim.dataset.lock:
        for n in range(320):
            uid = 1000 + n
            sim.dataset.users[uid] = User(uid, f"person{n:03d}", f"Person {n}")
        sim.dataset.version += 1
    data, teams = tmp_path / "data", tmp_path / "teams.csv"

    result = run(sim, data, teams, *(f"person{n:03d}" for n in range(320)))

    assert len(records(data)) == 320 and result.users_looked_up == 320
    assert sim.stats()["by_route"]["users_search"] == 320  # no item names them
