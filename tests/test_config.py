"""Settings come from the environment once; bad or missing values fail fast, naming the variable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import Secret, settings_from_env
from pipeline.errors import ConfigError

TODAY = dt.date(2026, 8, 23)


def test_defaults() -> None:
    s = settings_from_env({}, today=TODAY)
    assert (s.gitlab_url, s.groups, s.projects, s.workers, s.max_rpm) == (None, (), (), 8, None)
    assert s.since == dt.date(2024, 8, 23)
    assert (s.teams_file, s.data_dir, s.public_dir) == (
        Path("teams.csv"),
        Path("data"),
        Path("public"),
    )
    flags = (s.full_refresh_days, s.stale_hours, s.publish_emails, s.publish_raw)
    assert flags == (7, 26, False, False)


def test_values_and_ci_fallbacks() -> None:
    s = settings_from_env(
        {
            "CI_SERVER_URL": "https://gitlab.example.com",
            "GITLAB_TOKEN": "glpat-secret",
            "LEADERBOARD_GROUPS": " acme, 42 ,",
            "LEADERBOARD_PROJECTS": "acme/app",
            "LEADERBOARD_MAX_RPM": "600",
            "CI_NODE_INDEX": "2",
            "CI_NODE_TOTAL": "3",
            "LEADERBOARD_PUBLISH_EMAILS": "1",
        },
        today=TODAY,
    )
    assert s.gitlab_url == "https://gitlab.example.com"
    assert s.groups == ("acme", "42") and s.projects == ("acme/app",)
    assert s.shard_rpm == 200 and s.extract_dir == Path("data/shard-2")
    assert s.noreply == "users.noreply.gitlab.example.com"
    assert s.publish_emails is True


def test_token_never_shows_itself() -> None:
    s = settings_from_env({"GITLAB_TOKEN": "glpat-secret"}, today=TODAY)
    assert isinstance(s.gitlab_token, Secret)
    assert "glpat-secret" not in repr(s) and "glpat-secret" not in str(s.gitlab_token)
    assert s.gitlab_token.reveal() == "glpat-secret"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LEADERBOARD_WORKERS": "many"}, "LEADERBOARD_WORKERS"),
        ({"LEADERBOARD_WORKERS": "0"}, "LEADERBOARD_WORKERS"),
        ({"LEADERBOARD_SINCE": "20240105"}, "LEADERBOARD_SINCE"),
        ({"LEADERBOARD_FULL_REFRESH": "maybe"}, "LEADERBOARD_FULL_REFRESH"),
        ({"CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "3"}, "CI_NODE_INDEX"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        settings_from_env(env, today=TODAY)


def test_late_since_warns() -> None:
    s = settings_from_env({"LEADERBOARD_SINCE": "2026-01-01"}, today=TODAY)
    assert s.since == dt.date(2026, 1, 1)
    assert "365-day window" in s.warnings[0]


def test_extract_without_gitlab_url_fails_fast(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract"], env={"GITLAB_TOKEN": "t", "LEADERBOARD_GROUPS": "acme"}) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: GITLAB_URL is not set")


def test_a_private_ca_bundle_reaches_the_one_session() -> None:
    from pipeline.extract.gitlab.client import GitLabClient

    s = settings_from_env(
        {"GITLAB_URL": "https://gitlab.example.com", "REQUESTS_CA_BUNDLE": "/etc/ssl/corp.pem"},
        today=TODAY,
    )
    assert s.ca_bundle == "/etc/ssl/corp.pem"
    client = GitLabClient(s, base_url="https://gitlab.example.com", token=Secret("t"))
    try:
        assert client.gl.session.verify == "/etc/ssl/corp.pem"
        assert client.gl.session.trust_env is False
    finally:
        client.close()
