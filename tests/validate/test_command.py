"""`leaderboard validate-teams`: exit status, every error line, and the JUnit report for GitLab."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.extract.store.state import UserCache
from pipeline.sim import SimConfig, SimServer

CASES = Path(__file__).parents[1] / "roster_cases"
BAD = sorted(p.stem for p in (CASES / "bad").glob("*.csv"))


def run(tmp_path: Path, teams: Path, *extra: str, env: dict[str, str] | None = None) -> int:
    env = {"LEADERBOARD_TEAMS": str(teams), "LEADERBOARD_BOTS": str(tmp_path / "bots.txt")} | (
        env or {}
    )
    return main(["validate-teams", *extra], env)


@pytest.mark.parametrize("name", BAD)
def test_malformed_file_exits_1_listing_its_errors(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = tmp_path / "teams.csv"
    shutil.copyfile(CASES / "bad" / f"{name}.csv", teams)
    expected = (CASES / "bad" / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    junit = tmp_path / "report.xml"

    assert run(tmp_path, teams, "--junit", str(junit)) == 1

    err = capsys.readouterr().err.splitlines()
    assert err[: len(expected)] == [f"{teams}:{line}" for line in expected]
    cases = ET.parse(junit).getroot().findall("./testsuite/testcase")
    assert [c.find("failure").get("message") for c in cases] == err[: len(expected)]  # type: ignore[union-attr]


def test_valid_file_exits_0_with_one_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = tmp_path / "teams.csv"
    shutil.copyfile(CASES / "good" / "team_move.csv", teams)
    (tmp_path / "bots.txt").write_text("ghost\n", encoding="utf-8")

    assert run(tmp_path, teams) == 0

    out, err = capsys.readouterr()
    assert out == f"{teams}: OK, 1 member in 2 teams; 1 bots.txt entry\n"
    assert "skipped checking that the usernames exist in GitLab" in err


def test_junit_for_errors_has_one_failing_case_per_error(tmp_path: Path) -> None:
    teams = tmp_path / "teams.csv"
    teams.write_text("team,username,joined\n,alice,\nweb,b c,2024-1-1\n", encoding="utf-8")
    junit = tmp_path / "out" / "junit.xml"

    assert run(tmp_path, teams, "--junit", str(junit)) == 1

    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "3")
    lines = [
        f"{teams}:2:team: empty team",
        f"{teams}:3:username: bad username 'b c': it contains a space (use the GitLab username, "
        "as in @alice, not the display name)",
        f"{teams}:3:joined: bad date '2024-1-1': expected YYYY-MM-DD",
    ]
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == lines
    assert [(c.find("failure").get("message"), c.find("failure").text) for c in cases] == [  # type: ignore[union-attr]
        (line, line) for line in lines
    ]


def test_junit_for_a_valid_file_has_one_passing_case(tmp_path: Path) -> None:
    teams = tmp_path / "teams.csv"
    teams.write_text("team,username\nweb,alice\n", encoding="utf-8")
    junit = tmp_path / "junit.xml"

    assert run(tmp_path, teams, "--junit", str(junit)) == 0

    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    (case,) = suite.findall("testcase")
    assert case.get("name") == f"{teams}: OK, 1 member in 1 team; 0 bots.txt entries"
    assert case.find("failure") is None


def test_bad_bots_file_fails_validation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    teams = tmp_path / "teams.csv"
    teams.write_text("team,username\nweb,alice\n", encoding="utf-8")
    (tmp_path / "bots.txt").write_text("# bots\nrenovate bot\n", encoding="utf-8")

    assert run(tmp_path, teams) == 1

    err = capsys.readouterr().err
    assert f"{tmp_path / 'bots.txt'}:2:-: bad username 'renovate bot': it contains a space" in err


SAMPLE = Path(__file__).parents[2] / "pipeline" / "sim" / "sample_teams.csv"
SAMPLE_BOTS = SAMPLE.with_name("sample_bots.txt")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))) as server:
        yield server


def sim_env(sim: SimServer, tmp_path: Path) -> dict[str, str]:
    return {
        "GITLAB_URL": sim.url,
        "GITLAB_TOKEN": sim.token,
        "LEADERBOARD_TEAMS": str(SAMPLE),
        "LEADERBOARD_BOTS": str(SAMPLE_BOTS),
        "LEADERBOARD_DATA_DIR": str(tmp_path / "data"),
    }


def test_with_a_token_unknown_and_bot_users_are_warned_about(
    sim: SimServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.reset_stats()

    assert main(["validate-teams"], sim_env(sim, tmp_path)) == 0

    out, err = capsys.readouterr()
    assert out == f"{SAMPLE}: OK, 19 members in 3 teams; 3 bots.txt entries\n"
    hidden = (
        "was not found in GitLab (its username search hides blocked, banned and LDAP-blocked "
        "accounts from a non-admin token, and no extracted merge request, issue or review event "
        "names them); only its teams.csv emails can match commits"
    )
    assert err.splitlines() == [
        f"warning: {SAMPLE}:17:username: 'ghost-user' {hidden}",
        f"warning: {SAMPLE}:18:username: 'renovate-bot' is a bot account in GitLab; "
        "it will be left out of the board",
        f"warning: {SAMPLE}:19:username: 'rosa' {hidden}",  # blocked: app/finders/users_finder.rb
        f"warning: {SAMPLE}:20:username: 'sam' {hidden}",  # banned
    ]
    # no data/raw to learn ids from: one /users?username= per name, one /users/:id per name the
    # search finds
    assert sim.stats()["by_route"] == {"users_search": 19, "user": 16}


def test_cached_user_records_are_not_fetched_again(
    sim: SimServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = UserCache(
        users={"alice": {"id": 2, "username": "alice", "state": "blocked", "bot": False}},
        unknown={"ghost-user": "2026-11-19T00:00:00Z"},
    )
    state_dir = tmp_path / "data" / "state"
    state_dir.mkdir(parents=True)
    (state_dir / "users.json").write_text(json.dumps(cache.to_json()), encoding="utf-8")
    sim.reset_stats()

    assert main(["validate-teams"], sim_env(sim, tmp_path)) == 0

    err = capsys.readouterr().err.splitlines()
    assert (
        err[0]
        == f"warning: {SAMPLE}:2:username: 'alice' is blocked in GitLab; past work still counts"
    )
    assert err[1].startswith(f"warning: {SAMPLE}:17:username: 'ghost-user' was not found")
    assert sim.stats()["by_route"] == {"users_search": 17, "user": 15}


def test_ids_named_in_the_extracted_data_find_users_the_search_hides(
    sim: SimServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Blocked and banned users are hidden from a non-admin's `/users?username=`
    (app/finders/users_finder.rb) but `/users/:id` shows them (app/policies/user_policy.rb):
    the ids their MRs, issues and events carry in data/raw find them."""
    env = sim_env(sim, tmp_path) | {"LEADERBOARD_GROUPS": "acme", "LEADERBOARD_SINCE": "2024-11-01"}
    assert main(["extract"], env) == 0
    (tmp_path / "data" / "state" / "users.json").unlink()  # only data/raw says who they are
    capsys.readouterr()
    sim.reset_stats()

    assert main(["validate-teams"], env) == 0

    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "'rosa'" in line or "'sam'" in line] == [
        f"warning: {SAMPLE}:19:username: 'rosa' is blocked in GitLab; past work still counts",
        f"warning: {SAMPLE}:20:username: 'sam' is banned in GitLab; past work still counts",
    ]
    # searched: only the two names no record names (lena has no activity, ghost-user no
    # account); by id: the 17 others and lena
    assert sim.stats()["by_route"] == {"users_search": 2, "user": 18}
