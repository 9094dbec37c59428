"""Real GNOME Shell history through rows, raw Parquet and `build`, against a polars oracle."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl
import pyarrow.parquet as pq
import pytest

from pipeline import metrics
from pipeline.cli import main
from pipeline.extract.commits import commits_table
from pipeline.schema import RAW
from tests.queries.seed import Raw

FIXTURE = Path(__file__).parent / "fixtures" / "real-history" / "gnome-shell-main.jsonl.gz"
# The brief's as_of, and one where local wall-clock times would put commits on the wrong side
# of the 7d and 365d edges (e.g. 3v1n0's 2025-08-22T15:08:23+02:00 is 13:08Z, outside 365d).
AS_OFS = ("2026-08-23T00:00:00Z", "2026-08-22T14:00:00Z")
EXTRACTED = dt.datetime(2026, 8, 22, 23, 0, tzinfo=dt.UTC)
NOREPLY = "users.noreply.gitlab.gnome.org"
WINDOWS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
USERS_COLUMNS = ["window", "team", "username", *metrics.NAMES, "score", "rank", "prev_rank"]

# (team, username, emails, joined, left): real authors picked from the fixture by email.
ROSTER = [
    # Mixed case and spaces in teams.csv; the commits use fmuellner@gnome.org.
    ("Core", "fmuellner", " FMuellner@GNOME.org ; florian.muellner@gmail.com", "", ""),
    # A team move inside the 90-day window; the emails are written on one row only.
    ("Core", "carlosg", "carlosg@gnome.org", "", "2026-07-01"),
    ("UX", "carlosg", "", "2026-07-01", ""),
    # A commit at 2025-08-22T15:08:23+02:00 falls 11 h before the 365-day window.
    ("UX", "3v1n0", "mail@3v1n0.net", "", ""),
    # Two addresses, one written in upper case.
    ("UX", "aurimas", "aurimas.cernius@mailo.com;AURISC4@gmail.com", "", ""),
    # Joined between two commits: 2025-10-06T03:07Z (icloud) before, 2025-10-07T12:45Z after.
    (
        "UX",
        "dferracin",
        "davide.ferracin@icloud.com;Davide.Ferracin@protonmail.com",
        "2025-10-07",
        "",
    ),
    # Left before his 2026-03-15 commit, which then counts nowhere (and is not unmatched).
    ("Core", "ckirbach", "Christian.Kirbach@gmail.com", "", "2026-03-01"),
    # No teams.csv email and no GitLab user record: the noreply commit stays unmatched.
    ("UX", "SymphonySimper", "", "", ""),
]


class Built(NamedTuple):
    marts: Path
    as_of: dt.datetime


def _items() -> list[dict[str, Any]]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _write_raw(data: Path, items: list[dict[str, Any]]) -> None:
    Raw(data / "raw").project(1, path="GNOME/gnome-shell").write("20260822T230000Z-0001")
    table = commits_table(items, 1, EXTRACTED)
    (data / "raw" / "commits" / "p1").mkdir(parents=True)
    pq.write_table(table, data / "raw" / "commits" / "p1" / "20260822T230000Z-0001.parquet")
    (data / "raw" / "users").mkdir(parents=True)
    pq.write_table(RAW["users"].empty_table(), data / "raw" / "users" / "users.parquet")


def _teams_csv() -> str:
    lines = ["team,username,emails,joined,left"]
    lines += [",".join(f'"{cell}"' for cell in row) for row in ROSTER]
    return "\n".join(lines) + "\n"


def _commits(items: list[dict[str, Any]]) -> pl.DataFrame:
    """Counted commits (no merges, one row per SHA) with UTC authored time and the key email."""
    frame = pl.DataFrame(
        {
            "sha": [i["id"] for i in items],
            "parents": [len(i["parent_ids"]) for i in items],
            "email": [i["author_email"] for i in items],
            "authored": [i["authored_date"] for i in items],
        }
    )
    return (
        frame.filter(pl.col("parents") <= 1)
        .with_columns(
            pl.col("email").str.strip_chars().str.to_lowercase(),
            pl.col("authored")
            .str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_unit="us")
            .dt.convert_time_zone("UTC"),
        )
        .unique("sha")
    )


def _day(text: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC) if text else None


def _memberships() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "team": [r[0] for r in ROSTER],
            "username": [r[1].lower() for r in ROSTER],
            "joined": [_day(r[3]) for r in ROSTER],
            "left": [_day(r[4]) for r in ROSTER],
        },
        schema={
            "team": pl.String,
            "username": pl.String,
            "joined": pl.Datetime("us", "UTC"),
            "left": pl.Datetime("us", "UTC"),
        },
    )


def _emails() -> pl.DataFrame:
    pairs = {
        (r[1].lower(), e.strip().lower()) for r in ROSTER for e in r[2].split(";") if e.strip()
    }
    return pl.DataFrame(sorted(pairs), schema=["username", "email"], orient="row")


def _expected_users(commits: pl.DataFrame, as_of: dt.datetime) -> list[tuple[str, str, str, int]]:
    members, emails = _memberships(), _emails()
    owned = commits.join(emails, on="email").join(members, on="username")
    rows: list[tuple[str, str, str, int]] = []
    for name, days in WINDOWS.items():
        start = as_of - dt.timedelta(days=days)
        overlapping = members.filter(
            (pl.col("joined").is_null() | (pl.col("joined") < as_of))
            & (pl.col("left").is_null() | (pl.col("left") > start))
        )
        counted = (
            owned.filter(
                (pl.col("authored") >= start)
                & (pl.col("authored") < as_of)
                & (pl.col("joined").is_null() | (pl.col("joined") <= pl.col("authored")))
                & (pl.col("left").is_null() | (pl.col("authored") < pl.col("left")))
            )
            .group_by("team", "username")
            .agg(pl.col("sha").n_unique().alias("commits"))
        )
        table = overlapping.join(counted, on=["team", "username"], how="left")
        for row in table.fill_null(0).iter_rows(named=True):
            rows.append((name, row["team"], row["username"], row["commits"]))
    return sorted(rows)


def _expected_unmatched(commits: pl.DataFrame, as_of: dt.datetime) -> list[tuple[str, int]]:
    start = as_of - dt.timedelta(days=365)
    table = (
        commits.filter((pl.col("authored") >= start) & (pl.col("authored") < as_of))
        .join(_emails(), on="email", how="anti")
        .group_by("email")
        .agg(pl.col("sha").n_unique().alias("commits"))
        .sort(["commits", "email"], descending=[True, False])
    )
    return [(r["email"], r["commits"]) for r in table.iter_rows(named=True)]


def _build(tmp: Path, as_of: str) -> Path:
    """Raw Parquet, teams.csv and bots.txt under tmp, then `leaderboard build`; the marts dir."""
    data = tmp / "data"
    _write_raw(data, _items())
    (tmp / "teams.csv").write_text(_teams_csv(), encoding="utf-8")
    (tmp / "bots.txt").write_text("", encoding="utf-8")
    env = {
        "LEADERBOARD_DATA_DIR": str(data),
        "LEADERBOARD_TEAMS": str(tmp / "teams.csv"),
        "LEADERBOARD_BOTS": str(tmp / "bots.txt"),
        "LEADERBOARD_NOREPLY_DOMAIN": NOREPLY,
    }
    assert main(["build", "--as-of", as_of], env=env) == 0
    return data / "marts"


@pytest.fixture(scope="module", params=AS_OFS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    as_of: str = request.param
    marts = _build(tmp_path_factory.mktemp("real"), as_of)
    return Built(marts, dt.datetime.fromisoformat(as_of))


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return _items()


def test_leaderboard_users_commits_match_polars(built: Built, items: list[dict[str, Any]]) -> None:
    users = pq.read_table(built.marts / "leaderboard_users.parquet")
    assert users.column_names == USERS_COLUMNS
    got = sorted((r["window"], r["team"], r["username"], r["commits"]) for r in users.to_pylist())
    assert got == _expected_users(_commits(items), built.as_of)


def test_leaderboard_users_spot_values(tmp_path: Path) -> None:
    """A few hand-checked figures, so a shared mistake of oracle and SQL shows up."""
    marts = _build(tmp_path, AS_OFS[0])
    users = pq.read_table(marts / "leaderboard_users.parquet").to_pylist()
    by_key = {(r["window"], r["team"], r["username"]): r["commits"] for r in users}
    # The move on 2026-07-01 splits carlosg's work; before the 90-day window all is Core's.
    assert (by_key[("90d", "Core", "carlosg")], by_key[("90d", "UX", "carlosg")]) == (41, 10)
    assert (by_key[("365d", "Core", "carlosg")], by_key[("365d", "UX", "carlosg")]) == (98, 10)
    assert ("90d", "Core", "ckirbach") not in by_key  # left 2026-03-01, before 2026-05-25
    assert by_key[("365d", "Core", "ckirbach")] == 1  # 2026-02-06 only; 2026-03-15 is after left
    assert by_key[("365d", "UX", "dferracin")] == 3  # protonmail 10-07 + icloud twice later
    assert by_key[("365d", "UX", "aurimas")] == 3  # aurisc4@ + two on aurimas.cernius@
    assert by_key[("365d", "UX", "symphonysimper")] == 0
    for row in users:
        assert row["mrs_opened"] == row["mrs_merged"] == 0
        assert row["issues_opened"] == row["issues_closed"] == 0
        assert row["score"] == row["commits"]


def test_unmatched_authors_match_polars(built: Built, items: list[dict[str, Any]]) -> None:
    table = pq.read_table(built.marts / "unmatched_authors.parquet").to_pylist()
    expected = _expected_unmatched(_commits(items), built.as_of)
    got = [(r["author_email"], r["commits"]) for r in table]
    assert got[:15] == expected[:15]
    assert sorted(got) == sorted(expected)
    assert {r["projects"] for r in table} == {1}
    emails = {e for e, _ in got}
    assert "164710-symphonysimper@users.noreply.gitlab.gnome.org" in emails
    assert "christian.kirbach@gmail.com" not in emails
    assert "davide.ferracin@icloud.com" not in emails
