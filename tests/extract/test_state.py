"""State files round-trip, the full/incremental decision, and manifest helpers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipeline.config import Settings
from pipeline.extract.command import choose_mode
from pipeline.extract.store.manifest import ListingRecord, new_run_id, public_url, run_tag
from pipeline.extract.store.state import Head, State, UserCache, read_state, read_users, write_state

NOW = dt.datetime(2026, 8, 23, 0, 0, 4, tzinfo=dt.UTC)


def state(**changes: object) -> State:
    base = State(
        last_full_refresh=NOW - dt.timedelta(days=1),
        since="2024-08-23",
        scope={"groups": ["acme"], "projects": []},
        watermarks={"merge_requests/g10": dt.datetime(2026, 8, 22, 23, 59, 1, 5, tzinfo=dt.UTC)},
        heads={101: Head("main", "a" * 40)},
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def settings(**changes: object) -> Settings:
    return Settings(groups=("acme",), since=dt.date(2024, 8, 23)).replace(**changes)


def test_state_and_user_cache_round_trip(tmp_path: Path) -> None:
    users = UserCache(users={"alice": {"id": 2, "username": "alice"}}, unknown={"ghost": "x"})
    write_state(tmp_path, state(), users)
    assert read_state(tmp_path) == state()
    assert read_users(tmp_path) == users
    on_disk = json.loads((tmp_path / "state.json").read_text())
    assert on_disk["last_full_refresh"] == "2026-08-22T00:00:04Z"
    assert on_disk["watermarks"] == {"merge_requests/g10": "2026-08-22T23:59:01.000005Z"}
    assert on_disk["heads"] == {"101": {"branch": "main", "sha": "a" * 40}}


def test_no_state_means_a_first_run(tmp_path: Path) -> None:
    assert read_state(tmp_path) is None
    assert read_users(tmp_path) == UserCache()


def test_mode_decision() -> None:
    assert choose_mode(settings(), None, NOW) == "full"
    assert choose_mode(settings(), state(), NOW) == "incremental"
    assert choose_mode(settings(full_refresh=True), state(), NOW) == "full"
    week_old = state(last_full_refresh=NOW - dt.timedelta(days=7))
    assert choose_mode(settings(), week_old, NOW) == "full"
    assert choose_mode(settings(full_refresh_days=30.0), week_old, NOW) == "incremental"
    assert choose_mode(settings(groups=("acme", "other")), state(), NOW) == "full"
    # the default since rolls forward a day: nothing new is needed; an earlier one is
    assert choose_mode(settings(since=dt.date(2024, 8, 24)), state(), NOW) == "incremental"
    assert choose_mode(settings(since=dt.date(2024, 8, 1)), state(), NOW) == "full"


def test_run_id_tag_and_public_url() -> None:
    run_id = new_run_id(NOW)
    assert run_id.startswith("2026-08-23T00:00:04Z-") and len(run_id) == 25
    assert run_tag("2026-08-23T00:00:04Z-1a2b") == "20260823T000004Z-1a2b"
    assert public_url("https://user:secret@gitlab.example.com:8443/sub/?x=1") == (
        "https://gitlab.example.com:8443/sub"
    )


def test_listing_record_names_its_owner() -> None:
    record = ListingRecord("commits", "project", "acme/app", pages=3, rows=212, retries=1)
    assert record.to_json() == {
        "what": "commits",
        "project": "acme/app",
        "pages": 3,
        "rows": 212,
        "x_total": None,
        "check": "end-of-list",
        "retries": 1,
        "slices": [],
    }
