"""Simulator knobs over HTTP: scripted and random faults, rate limit, concurrency, stats, CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from pipeline.sim import SimConfig, SimServer

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
COMMITS = "/projects/acme%2Fapp/repository/commits"


@pytest.fixture()
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(now=NOW)) as server:
        yield server


def get(sim: SimServer, path: str, **params: object) -> requests.Response:
    return requests.get(
        f"{sim.url}/api/v4{path}", headers={"PRIVATE-TOKEN": sim.token}, params=params, timeout=10
    )


def test_scripted_fault_fires_exactly_as_scripted(sim: SimServer) -> None:
    rule = {"route": "commits", "project": "acme/app", "page": 3, "kind": "503", "times": 2}
    sim.configure(scripted_faults=[rule])
    statuses = [get(sim, COMMITS, page=p).status_code for p in (1, 2, 3, 3, 3, 4)]
    assert statuses == [200, 200, 503, 503, 200, 200]
    assert get(sim, "/projects/102/repository/commits", page=3).status_code == 200
    stats = sim.stats()
    assert stats["faults"] == {"503": 2} and stats["pending_scripted_faults"] == []
    assert stats["by_status"] == {"200": 5, "503": 2}


def test_scripted_rules_are_consumed_in_order_and_match_ids(sim: SimServer) -> None:
    sim.configure(
        scripted_faults=[
            {"route": "project", "project": 101, "kind": "500"},
            {"route": "project", "kind": "429", "after": 1},
        ]
    )
    r1, r2, r3, r4 = (get(sim, "/projects/101") for _ in range(4))
    assert (r1.status_code, r1.json()) == (500, {"message": "500 Internal Server Error"})
    assert r2.status_code == 200
    assert (r3.status_code, r3.text, r3.headers["Retry-After"]) == (429, "Retry later", "1")
    assert r4.status_code == 200


def test_repeat_page_and_strip_link(sim: SimServer) -> None:
    page2 = get(sim, COMMITS, page=2)
    sim.configure(
        scripted_faults=[
            {"route": "commits", "page": 3, "kind": "repeat_page"},
            {"route": "commits", "page": 3, "kind": "strip_link"},
        ]
    )
    repeated = get(sim, COMMITS, page=3)
    assert repeated.json() == page2.json() and repeated.headers["x-page"] == "3"
    stripped = get(sim, COMMITS, page=3)
    assert "Link" not in stripped.headers and stripped.headers["x-next-page"] == "4"


def test_broken_transport_faults(sim: SimServer) -> None:
    sim.configure(
        hang_seconds=1.0,
        scripted_faults=[
            {"route": "version", "kind": "reset"},
            {"route": "version", "kind": "truncated"},
            {"route": "version", "kind": "not_json"},
            {"route": "version", "kind": "timeout"},
        ],
    )
    with pytest.raises(requests.ConnectionError):
        get(sim, "/version")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(sim, "/version")
    not_json = get(sim, "/version")
    assert not_json.status_code == 200 and not_json.text.startswith("<!DOCTYPE html>")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{sim.url}/api/v4/version", headers={"PRIVATE-TOKEN": sim.token}, timeout=0.2)
    assert get(sim, "/version").status_code == 200


def test_random_faults_are_seeded(sim: SimServer) -> None:
    def run() -> list[int]:
        sim.configure(fault_rate=0.5, fault_kinds=["502", "520"], fault_seed=3)
        return [get(sim, "/version").status_code for _ in range(30)]

    first = run()
    assert first == run()
    assert set(first) == {200, 502, 520}
    sim.configure(fault_rate=0.0)


def test_rate_limit_headers_and_429(sim: SimServer) -> None:
    assert not any(k.startswith("RateLimit") for k in get(sim, "/version").headers)
    sim.configure(rate_limit_rpm=60, rate_limit_burst=3)
    answers = [get(sim, "/version") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    first, refused = answers[0], answers[3]
    assert first.headers["RateLimit-Limit"] == "60"
    assert first.headers["RateLimit-Remaining"] == "2"
    assert first.headers["RateLimit-Observed"] == "1"
    assert int(first.headers["RateLimit-Reset"]) >= int(time.time())
    assert refused.text == "Retry later" and refused.headers["Content-Type"].startswith(
        "text/plain"
    )
    assert refused.headers["Retry-After"] == "1" and "RateLimit-ResetTime" in refused.headers
    sim.configure(rate_limit_http_date=True)
    assert get(sim, "/version").headers["Retry-After"].endswith(" GMT")
    assert sim.stats()["rate_limited"] == 2


def hold_one_slot(sim: SimServer) -> tuple[threading.Thread, list[int]]:
    """Start a request that holds a server slot (a scripted `timeout`) until hang_seconds pass."""
    sim.configure(hang_seconds=1.0, scripted_faults=[{"route": "version", "kind": "timeout"}])
    out: list[int] = []
    holder = threading.Thread(target=lambda: out.append(get(sim, "/version").status_code))
    holder.start()
    while sim.stats()["in_flight"] < 1:
        time.sleep(0.01)
    return holder, out


def test_users_get_by_id_is_rate_limited_like_gitlab(sim: SimServer) -> None:
    """lib/api/users.rb: `check_rate_limit!(:users_get_by_id, scope: current_user)` for a
    non-admin; lib/gitlab/application_rate_limiter.rb: the `users_get_by_id_limit` setting per
    10-minute fixed window, refused requests counted too; lib/api/helpers/rate_limiter.rb (the
    newest): `too_many_requests!({error: ...}, retry_after: interval)`."""
    assert (sim.config.users_get_by_id_limit, sim.config.users_get_by_id_interval) == (300, 600)
    sim.configure(users_get_by_id_limit=2)
    _outside_a_window_edge(600)
    answers = [get(sim, path) for path in ("/users/2", "/users/999", "/users/3", "/users/3")]
    assert [r.status_code for r in answers] == [200, 404, 429, 429]  # the 404 counted too
    refused = answers[2]
    assert refused.json() == {
        "message": {"error": "This endpoint has been requested too many times. Try again later."}
    }
    assert refused.headers["Retry-After"] == "600"
    assert get(sim, "/users", username="bob").status_code == 200  # the search is not limited
    assert get(sim, "/projects/101").status_code == 200
    stats = sim.stats()
    assert stats["by_route"]["user"] == 4 and stats["rate_limited"] == 2
    sim.configure(users_get_by_id_retry_after=False)  # older GitLab: no Retry-After
    assert "Retry-After" not in get(sim, "/users/2").headers
    sim.reset_stats()  # a fresh window, as after 10 minutes
    assert get(sim, "/users/2").status_code == 200
    sim.configure(users_get_by_id_limit=0)  # the setting at 0: no limit
    assert {get(sim, "/users/2").status_code for _ in range(4)} == {200}


def test_users_get_by_id_windows_are_fixed_and_end_on_time(sim: SimServer) -> None:
    """A window is `Time.now.to_i.divmod(interval)`: the count starts again in the next one."""
    sim.configure(users_get_by_id_limit=1, users_get_by_id_interval=1)
    _outside_a_window_edge(1)
    assert [get(sim, "/users/2").status_code for _ in range(2)] == [200, 429]
    time.sleep(1.0 - time.time() % 1.0 + 0.05)
    assert get(sim, "/users/2").status_code == 200


def _outside_a_window_edge(interval: int) -> None:
    """Wait out the last half second of a fixed window, so a few requests share one window."""
    left = interval - time.time() % interval
    if left < 0.5:
        time.sleep(left + 0.05)


def test_concurrency_cap_refuses_when_full(sim: SimServer) -> None:
    sim.configure(max_concurrency=1, concurrency_mode="503")
    holder, out = hold_one_slot(sim)
    refused = [get(sim, "/projects/101") for _ in range(2)]
    holder.join()
    assert [r.status_code for r in refused] == [503, 503] and out == [200]
    assert sim.stats()["by_route"] == {"busy": 2, "version": 1}


def test_concurrency_cap_queues_when_full(sim: SimServer) -> None:
    sim.configure(max_concurrency=1, concurrency_mode="queue")
    holder, out = hold_one_slot(sim)
    queued = threading.Thread(target=lambda: out.append(get(sim, "/projects/101").status_code))
    queued.start()
    while sim.stats()["in_flight"] < 2:
        time.sleep(0.01)
    holder.join()
    queued.join()
    assert out == [200, 200] and sim.stats()["peak_in_flight"] == 2


def test_unknown_knobs_are_refused(sim: SimServer) -> None:
    with pytest.raises(ValueError, match="unknown knob"):
        sim.configure(nonsense=1)
    with pytest.raises(ValueError, match="unknown fault kinds"):
        sim.configure(fault_kinds=["418"])


def test_cli_serves_and_is_steered_over_http() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.sim",
            "serve",
            "--port",
            "0",
            "--now",
            "2026-11-28T12:00:00Z",
            "--scripted-faults",
            '[{"route": "version", "kind": "504"}]',
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        headers = {"PRIVATE-TOKEN": info["token"]}
        url = info["url"]
        assert requests.get(f"{url}/api/v4/version", headers=headers).status_code == 504
        assert requests.get(f"{url}/_sim/stats").status_code == 401
        stats = requests.get(f"{url}/_sim/stats", headers=headers).json()
        assert stats["by_status"] == {"504": 1, "401": 1}
        r = requests.post(f"{url}/_sim/config", headers=headers, json={"rate_limit_rpm": 600})
        assert r.json() == {"ok": True}
        assert (
            requests.get(f"{url}/api/v4/version", headers=headers).headers["RateLimit-Limit"]
            == "600"
        )
        requests.post(f"{url}/_sim/reset", headers=headers)
        assert requests.get(f"{url}/_sim/stats", headers=headers).json()["requests"] == 0
        bad = requests.post(f"{url}/_sim/config", headers=headers, json={"nope": 1})
        assert bad.status_code == 400
    finally:
        proc.terminate()
        proc.wait(timeout=10)
