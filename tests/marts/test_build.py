"""`leaderboard build` end to end: raw Parquet + teams.csv -> data/marts, via the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import metrics
from pipeline.cli import main
from pipeline.config import Settings
from pipeline.marts.build import read_manifests, resolve_noreply, swapped_in
from pipeline.schema import MARTS
from tests.queries.seed import Raw, t

HOST_NOREPLY = "users.noreply.gitlab.acme.test"


def _manifest(folder: Path, as_of: str, url: str = "https://gitlab.acme.test") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "run_id": f"{as_of}-1a2b",
        "status": "complete",
        "finished_at": as_of,
        "as_of": as_of,
        "gitlab_url": url,
    }
    (folder / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")


def _setup(tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data"
    (
        Raw(data / "raw")
        .project(1)
        .user(1, "alice")
        .user(2, "bob")
        .user(3, "ci", bot=True)
        .commit(1, "c1", f"alice@{HOST_NOREPLY}", t("2026-08-22T10:00:00Z"))
        .commit(1, "c2", "Bob@Home.example", t("2026-08-01T10:00:00Z"))
        .commit(1, "c3", "who@example.org", t("2026-08-02T10:00:00Z"), name="Who")
        .mr(10, 1, "alice", t("2026-08-20T00:00:00Z"), merged=t("2026-08-21T00:00:00Z"))
        .mr(11, 1, "ci", t("2026-08-20T00:00:00Z"))
        .write("20260823T000000Z-1a2b")
    )
    _manifest(data, "2026-08-23T00:00:00Z")
    teams = tmp_path / "teams.csv"
    teams.write_text(
        'team,username,emails\nCore,alice,\nCore,ci,\n"Web, UI",Bob,bob@home.example\n',
        encoding="utf-8",
    )
    (tmp_path / "bots.txt").write_text("# reviewed bots\n", encoding="utf-8")
    return {
        "LEADERBOARD_DATA_DIR": str(data),
        "LEADERBOARD_TEAMS": str(teams),
        "LEADERBOARD_BOTS": str(tmp_path / "bots.txt"),
    }


def _read(data: Path, mart: str) -> pa.Table:
    return pq.read_table(data / "marts" / f"{mart}.parquet")


def test_build_end_to_end(tmp_path: Path) -> None:
    env = _setup(tmp_path)
    assert main(["build", "--as-of", "2026-08-23T12:00:00Z"], env=env) == 0
    data = tmp_path / "data"
    for name, schema in MARTS.items():
        assert _read(data, name).schema.equals(schema), name
    users = _read(data, "leaderboard_users").to_pylist()
    zeros = dict.fromkeys(metrics.NAMES, 0)  # every metric not named below is 0
    assert [r for r in users if r["window"] == "7d"] == [
        {"window": "7d", "team": "Core", "username": "alice",
         **zeros, "commits": 1, "mrs_opened": 1, "mrs_merged": 1,
         "score": 5, "rank": 1, "prev_rank": 1},  # prev_rank 1: no one scored then
        {"window": "7d", "team": "Web, UI", "username": "bob",
         **zeros, "score": 0, "rank": 2, "prev_rank": 1},
    ]  # fmt: skip
    teams = _read(data, "leaderboard_teams").to_pylist()
    assert [r for r in teams if r["window"] == "30d"] == [
        {"window": "30d", "team": "Core", "members": 1,
         **zeros, "commits": 1, "mrs_opened": 1, "mrs_merged": 1,
         "score": 5, "rank": 1, "prev_rank": 1},
        {"window": "30d", "team": "Web, UI", "members": 1,
         **zeros, "commits": 1, "score": 1, "rank": 2, "prev_rank": 1},
    ]  # fmt: skip
    assert _read(data, "unmatched_authors").column("author_email").to_pylist() == [
        "who@example.org"
    ]
    info = json.loads((data / "marts" / "build.json").read_text(encoding="utf-8"))
    assert info["as_of"] == "2026-08-23T12:00:00Z"
    assert info["noreply_domain"] == HOST_NOREPLY  # from the manifest's gitlab_url
    assert info["dropped_bots"] == ["ci"]
    assert info["rows"]["leaderboard_users"] == 8
    assert info["score_weights"] == metrics.weights()  # the registry, for the page
    assert info["metrics"] == metrics.records()
    assert sorted(p.name for p in data.iterdir()) == ["manifest.json", "marts", "raw"]


def test_as_of_defaults_to_the_earliest_manifest_including_shards(tmp_path: Path) -> None:
    # Every shard is complete up to the earliest end, so that is the board's as_of.
    env = _setup(tmp_path)
    data = tmp_path / "data"
    _manifest(data / "shard-2", "2026-08-22T23:30:00Z")
    Raw(data / "shard-2" / "raw").project(2).commit(
        2, "s1", f"alice@{HOST_NOREPLY}", t("2026-08-22T23:00:00Z")
    ).write("run")
    assert main(["build"], env=env) == 0
    info = json.loads((data / "marts" / "build.json").read_text(encoding="utf-8"))
    assert info["as_of"] == "2026-08-22T23:30:00Z"
    users = _read(data, "leaderboard_users").to_pylist()
    assert [(r["username"], r["commits"]) for r in users if r["window"] == "7d"] == [
        ("alice", 2),
        ("bob", 0),
    ]


def test_no_manifest_and_no_as_of_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _setup(tmp_path)
    (tmp_path / "data" / "manifest.json").unlink()
    assert main(["build"], env=env) == 1
    err = capsys.readouterr().err
    assert "error: no extraction manifest" in err and "--as-of" in err
    assert not (tmp_path / "data" / "marts").exists()


def test_bad_roster_fails_and_keeps_old_marts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _setup(tmp_path)
    assert main(["build"], env=env) == 0
    before = (tmp_path / "data" / "marts" / "build.json").read_text(encoding="utf-8")
    Path(env["LEADERBOARD_TEAMS"]).write_text("team,username\nCore,bad name\n", encoding="utf-8")
    assert main(["build"], env=env) == 1
    assert "teams.csv:2:username: bad username 'bad name'" in capsys.readouterr().err
    assert (tmp_path / "data" / "marts" / "build.json").read_text(encoding="utf-8") == before


def test_failed_write_leaves_old_marts_and_no_temp_folder(tmp_path: Path) -> None:
    marts_dir = tmp_path / "marts"
    marts_dir.mkdir()
    (marts_dir / "build.json").write_text("old", encoding="utf-8")
    with pytest.raises(ValueError), swapped_in(marts_dir) as tmp:
        (tmp / "leaderboard_users.parquet").write_bytes(b"half")
        raise ValueError("a mart failed to write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marts"]
    assert (marts_dir / "build.json").read_text(encoding="utf-8") == "old"


def test_noreply_domain_precedence(tmp_path: Path) -> None:
    _manifest(tmp_path, "2026-08-23T00:00:00Z", url="https://Manifest.example:8443/gitlab")
    manifests = read_manifests(tmp_path)
    assert manifests[0].as_of == dt.datetime(2026, 8, 23, tzinfo=dt.UTC)
    assert resolve_noreply(Settings(), manifests) == "users.noreply.manifest.example"
    env_url = Settings(gitlab_url="https://gitlab.com")
    assert resolve_noreply(env_url, manifests) == "users.noreply.gitlab.com"
    explicit = Settings(gitlab_url="https://gitlab.com", noreply_domain="Mail.Example")
    assert resolve_noreply(explicit, manifests) == "mail.example"
    assert resolve_noreply(Settings(), []) == "users.noreply.gitlab.com"
