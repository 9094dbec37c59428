"""Failures end the run loudly and leave data/ exactly as it was: 401, dead page, broken paging."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.extract.command import extract
from pipeline.sim import SimConfig, SimServer
from tests.extract.support import NOW, env_for, read_raw, settings_for, tree_hashes


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


@pytest.fixture(scope="module")
def good_data(sim: SimServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One complete extraction that every failing run below must leave untouched."""
    data = tmp_path_factory.mktemp("good") / "data"
    extract(settings_for(sim, data))
    return data


@pytest.fixture(autouse=True)
def no_faults(sim: SimServer) -> Iterator[None]:
    yield
    sim.configure(scripted_faults=[], fault_rate=0.0)


def fail_once_more(
    sim: SimServer, data: Path, capsys: pytest.CaptureFixture[str], **env: str
) -> str:
    """Run `leaderboard extract` expecting failure; data/ must be byte-for-byte unchanged."""
    before = tree_hashes(data)
    code = main(["extract"], env=env_for(sim, data, **env))
    err = capsys.readouterr().err
    assert code == 1, err
    assert tree_hashes(data) == before
    error_lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, err
    return error_lines[0]


def test_permanent_503_on_page_3_fails_with_the_contract_line(
    sim: SimServer, good_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = {"route": "commits", "project": "acme/app", "page": 3, "kind": "503", "times": 100}
    sim.configure(scripted_faults=[fault])
    line = fail_once_more(sim, good_data, capsys, LEADERBOARD_FULL_REFRESH="1")
    assert line == (
        "error: GET /api/v4/projects/101/repository/commits page 3 (commits of acme/app): "
        "HTTP 503 after 6 attempts"
    )


def test_bad_token_fails_at_once_with_a_hint(
    sim: SimServer, good_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = fail_once_more(sim, good_data, capsys, GITLAB_TOKEN="wrong")
    assert line.startswith("error: GET /api/v4/version (GitLab version): HTTP 401 after 1 attempt;")
    assert "GITLAB_TOKEN" in line and "wrong" not in line


def test_page_repeated_twice_fails_the_run(
    sim: SimServer, good_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = {
        "route": "commits",
        "project": "acme/app",
        "page": 2,
        "kind": "repeat_page",
        "times": 2,
    }
    sim.configure(scripted_faults=[fault])
    line = fail_once_more(sim, good_data, capsys, LEADERBOARD_FULL_REFRESH="1")
    assert line.startswith("error: commits of acme/app: page 2 repeats page 1")


def test_missing_link_with_x_next_page_fails_the_run(
    sim: SimServer, good_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = {"route": "group_issues", "group": "acme", "page": 1, "kind": "strip_link"}
    sim.configure(scripted_faults=[fault])
    line = fail_once_more(sim, good_data, capsys, LEADERBOARD_FULL_REFRESH="1")
    assert line == (
        'error: issues of group acme: page 1 has x-next-page 2 but no Link rel="next"; '
        "the list cannot be followed safely"
    )


def test_page_repeated_once_is_fetched_again(sim: SimServer, tmp_path: Path) -> None:
    fault = {
        "route": "commits",
        "project": "acme/app",
        "page": 2,
        "kind": "repeat_page",
        "times": 1,
    }
    sim.configure(scripted_faults=[fault])
    result = extract(settings_for(sim, tmp_path / "data"))
    reference = extract(settings_for(sim, tmp_path / "reference"))
    key = ["project_id", "id"]
    got = read_raw(tmp_path / "data", "commits").drop("_extracted_at").sort(key)
    want = read_raw(tmp_path / "reference", "commits").drop("_extracted_at").sort(key)
    assert got.equals(want), "commits differ"
    assert result.manifest["rows"] == reference.manifest["rows"]
    assert sim.stats()["pending_scripted_faults"] == []


def test_transient_faults_change_nothing(sim: SimServer, tmp_path: Path) -> None:
    sim.configure(fault_rate=0.15, fault_seed=3, fault_kinds=["502", "reset", "not_json", "408"])
    faulty = extract(settings_for(sim, tmp_path / "faulty"))
    sim.configure(fault_rate=0.0)
    extract(settings_for(sim, tmp_path / "clean"))
    assert faulty.manifest["requests"]["retried"] > 0
    for table, key in (("commits", ["project_id", "id"]), ("merge_requests", ["id"])):
        a = read_raw(tmp_path / "faulty", table).drop("_extracted_at").sort(key)
        b = read_raw(tmp_path / "clean", table).drop("_extracted_at").sort(key)
        assert a.equals(b), table


def test_retries_are_recorded_on_their_listing(sim: SimServer, tmp_path: Path) -> None:
    fault = {"route": "commits", "project": "acme/app", "page": 2, "kind": "503", "times": 2}
    sim.configure(scripted_faults=[fault])
    manifest = extract(settings_for(sim, tmp_path / "data")).manifest
    retried = {
        (entry["what"], entry.get("project")): entry["retries"]
        for entry in manifest["listings"]
        if entry["retries"]
    }
    assert retried == {("commits", "acme/app"): 2}
    assert manifest["requests"]["retried"] == 2
