"""`leaderboard demo` as a new user runs it (`make demo`): its own lines only, each warning once,
and a word on where the board's links go."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.sim import SimConfig, SimServer, sample_bots_txt, sample_teams_csv

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    cwd = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITLAB_", "LEADERBOARD_"))}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "demo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env | {"PYTHONPATH": str(ROOT)},
    )


def warnings_about(stderr: str, name: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"'{name}'" in line or f" {name} " in line]


def test_demo_warns_about_each_roster_user_once(demo: subprocess.CompletedProcess[str]) -> None:
    """extract, validate and build each find that ghost-user is unknown and renovate-bot a bot;
    the run says each once, with the roster line it is on."""
    assert demo.returncode == 0, demo.stderr
    assert warnings_about(demo.stderr, "ghost-user") == [
        "warning: demo-output/teams.csv:17:username: 'ghost-user' was not found in GitLab "
        "(its username search hides blocked, banned and LDAP-blocked accounts from a non-admin "
        "token, and no extracted merge request, issue or review event names them); only its "
        "teams.csv emails can match commits"
    ]
    assert warnings_about(demo.stderr, "renovate-bot") == [
        "warning: demo-output/teams.csv:18:username: 'renovate-bot' is a bot account in GitLab; "
        "it will be left out of the board"
    ]
    # the leavers GitLab's username search hides are found through their work: said as such
    assert [line for line in demo.stderr.splitlines() if line.startswith("warning:")] == [
        *warnings_about(demo.stderr, "ghost-user"),
        *warnings_about(demo.stderr, "renovate-bot"),
        "warning: demo-output/teams.csv:19:username: 'rosa' is blocked in GitLab; past work "
        "still counts",
        "warning: demo-output/teams.csv:20:username: 'sam' is banned in GitLab; past work still "
        "counts",
    ]


def test_demo_says_its_links_need_the_simulator(demo: subprocess.CompletedProcess[str]) -> None:
    lines = demo.stdout.splitlines()
    board = next(i for i, line in enumerate(lines) if "open the board:" in line)
    assert re.fullmatch(
        r"  the board's links to GitLab pages go to the simulator at http://127\.0\.0\.1:\d+,",
        lines[board + 1],
    )
    assert lines[board + 2] == (
        "  which stops now; `leaderboard demo --keep-serving` keeps it up for them"
    )
    assert "Traceback" not in demo.stderr and "!!" not in demo.stderr + demo.stdout


def test_run_warns_about_an_unknown_user_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run` is extract then build: both find ghost-user unknown; it is said once."""
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    (tmp_path / "teams.csv").write_text(sample_teams_csv(now), encoding="utf-8")
    (tmp_path / "bots.txt").write_text(sample_bots_txt(), encoding="utf-8")
    with SimServer(SimConfig(now=now)) as sim:
        env = {
            "GITLAB_URL": sim.url,
            "GITLAB_TOKEN": sim.token,
            "LEADERBOARD_GROUPS": "acme",
            "LEADERBOARD_TEAMS": str(tmp_path / "teams.csv"),
            "LEADERBOARD_BOTS": str(tmp_path / "bots.txt"),
            "LEADERBOARD_DATA_DIR": str(tmp_path / "data"),
            "LEADERBOARD_PUBLIC_DIR": str(tmp_path / "public"),
        }
        assert main(["run"], env) == 0
    err = capsys.readouterr().err
    assert len(warnings_about(err, "ghost-user")) == 1, err
    assert len(warnings_about(err, "renovate-bot")) == 1, err


def test_the_page_counts_the_lists_the_run_said_it_checked(
    demo: subprocess.CompletedProcess[str],
) -> None:
    """The header once said 26 listings where the run had printed "23 listings planned"."""
    said = re.search(r"; (\d+) listings, each checked complete;", demo.stderr)
    assert said, demo.stderr
    html = (_cwd_of(demo) / "demo-output/public/index.html").read_text(encoding="utf-8")
    assert f"All {said.group(1)} lists fetched from GitLab" in html


def _cwd_of(run: subprocess.CompletedProcess[str]) -> Path:
    board = next(line for line in run.stdout.splitlines() if "open the board:" in line)
    return Path(board.split("file://", 1)[1]).parents[2]
