"""The command line: UTC timestamps, and roster errors listed before the one-line summary."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import pytest

from pipeline.cli import BY_COMMAND, main, parse_timestamp
from pipeline.config import VARIABLES


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-08-23T00:00:00Z", dt.datetime(2026, 8, 23, tzinfo=dt.UTC)),
        ("2026-08-23T02:00:00+02:00", dt.datetime(2026, 8, 23, tzinfo=dt.UTC)),
        ("2026-08-23T00:00:00", dt.datetime(2026, 8, 23, tzinfo=dt.UTC)),
    ],
)
def test_as_of_is_utc(raw: str, expected: dt.datetime) -> None:
    assert parse_timestamp(raw) == expected


def test_a_bad_timestamp_is_refused() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="not an ISO 8601"):
        parse_timestamp("yesterday")


def test_roster_errors_are_listed_then_summarised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = tmp_path / "teams.csv"
    teams.write_text("team,username\nCore,al ice\n,bob\n", encoding="utf-8")
    env = {"LEADERBOARD_TEAMS": str(teams), "LEADERBOARD_DATA_DIR": str(tmp_path / "data")}
    assert main(["build", "--as-of", "2026-08-23T00:00:00Z"], env=env) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(": ")[0] for line in lines[:2]] == [f"{teams}:2:username", f"{teams}:3:team"]
    assert lines[-1] == "error: 2 errors in the roster; fix the lines listed above"


def help_of(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"], {})
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_every_command_help_lists_the_variables_it_reads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command, names in BY_COMMAND.items():
        text = help_of(command, capsys)
        listed = text.split("environment variables (a flag wins over its variable):\n", 1)[1]
        rows = [line.split()[0] for line in listed.splitlines() if line.startswith("  ")]
        assert rows == list(names), command
        for name in names:
            assert f"  {name.ljust(max(map(len, names)))}  {VARIABLES[name]}" in text


def test_every_variable_settings_read_is_described_and_listed_by_a_command() -> None:
    pipeline = Path(__file__).resolve().parents[1] / "pipeline"
    parsers = (pipeline / "env.py").read_text().split("\nclass Secret", 1)[1]  # after VARIABLES
    code = parsers + (pipeline / "config.py").read_text()
    read = set(re.findall(r'"((?:GITLAB|LEADERBOARD|CI|REQUESTS|CURL)_[A-Z_]+)"', code))
    assert read == set(VARIABLES)
    assert set().union(*BY_COMMAND.values()) == set(VARIABLES)
