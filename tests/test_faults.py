"""The fault matrix: transient faults never change the marts; permanent ones fail loudly and
leave what was published exactly as it was (issue 4, Tests and Bar)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipeline.cli import main
from pipeline.config import settings_from_env
from pipeline.extract.command import run_extract
from pipeline.sim import SimConfig, SimServer
from tests.run_support import AS_OF, NOW, demo_env, read_marts, tree_hashes

#: Every retried kind of rule 2 (a sample of 520-530); `timeout` hangs past a lowered read timeout.
KINDS = ["408", "429", "500", "502", "503", "504", "520", "524", "530"]
KINDS += ["reset", "timeout", "truncated", "not_json"]
MIX = "mix"
#: A 429 makes every worker pause for its Retry-After (1 s), so it gets a lower rate.
RATES = {"429": 0.04, "timeout": 0.08}
RATE = 0.15
HANG_SECONDS = 1.0
READ_TIMEOUT = 0.4
ATTEMPTS = "12"  # a page failing 12 times in a row at these rates is ~1e-10


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW, hang_seconds=HANG_SECONDS)) as server:
        yield server


@pytest.fixture(autouse=True)
def no_faults(sim: SimServer) -> Iterator[None]:
    sim.configure(scripted_faults=[], fault_rate=0.0, fault_routes=[])
    sim.reset_stats()
    yield
    sim.configure(scripted_faults=[], fault_rate=0.0, fault_routes=[])


@pytest.fixture(scope="module")
def reference(sim: SimServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    """The fault-free marts, through the commands a CI job runs."""
    env = demo_env(sim, tmp_path_factory.mktemp("reference"))
    assert main(["extract"], env) == 0
    assert main(["build", "--as-of", AS_OF], env) == 0
    return read_marts(Path(env["LEADERBOARD_DATA_DIR"]))


def faulty_marts(sim: SimServer, work: Path) -> dict[str, pl.DataFrame]:
    """Extract with a lowered read timeout (no variable sets it, so Settings directly), build."""
    env = demo_env(sim, work, LEADERBOARD_RETRY_ATTEMPTS=ATTEMPTS)
    manifest = run_extract(settings_from_env(env).replace(read_timeout=READ_TIMEOUT))
    requests = manifest["requests"]
    assert requests["retried"] + requests["rate_limit_waits"] > 0, requests
    assert main(["build", "--as-of", AS_OF], env) == 0
    return read_marts(work / "data")


def assert_same_marts(got: dict[str, pl.DataFrame], want: dict[str, pl.DataFrame]) -> None:
    assert sorted(got) == sorted(want)
    for name, frame in want.items():
        try:
            assert_frame_equal(got[name], frame, check_exact=True)
        except AssertionError as exc:
            raise AssertionError(f"mart {name} differs from the fault-free run: {exc}") from None


def marts_under_faults(
    sim: SimServer, work: Path, kinds: list[str], seed: int, rate: float
) -> dict[str, pl.DataFrame]:
    """The marts of a run with random faults of these kinds; at least one must have fired."""
    sim.configure(fault_rate=rate, fault_kinds=kinds, fault_seed=seed)
    marts = faulty_marts(sim, work)
    fired = sim.stats()["faults"]
    assert sum(fired.get(k, 0) for k in kinds) > 0, f"no {kinds} fault fired: {fired}"
    return marts


@pytest.mark.parametrize("kind", [*KINDS, MIX])
def test_transient_faults_leave_the_marts_unchanged(
    kind: str, sim: SimServer, reference: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    kinds = KINDS if kind == MIX else [kind]
    marts = marts_under_faults(sim, tmp_path, kinds, seed=1, rate=RATES.get(kind, RATE))
    assert_same_marts(marts, reference)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3, 4])
@pytest.mark.parametrize("kind", ["503", "reset", "truncated", "not_json", MIX])
def test_transient_faults_over_more_seeds(
    kind: str, seed: int, sim: SimServer, reference: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    kinds = KINDS if kind == MIX else [kind]
    marts = marts_under_faults(sim, tmp_path, kinds, seed=seed, rate=0.25 if kind == MIX else RATE)
    assert_same_marts(marts, reference)


# -- permanent faults: the run fails with one line and publishes nothing ---------------------------


@pytest.fixture(scope="module")
def published(sim: SimServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fault-free `leaderboard run`: the data/ and public/ a failing run must not touch."""
    env = demo_env(sim, tmp_path_factory.mktemp("published"), LEADERBOARD_RETRY_ATTEMPTS="6")
    assert main(["run"], env) == 0
    assert (Path(env["LEADERBOARD_PUBLIC_DIR"]) / "index.html").is_file()
    return env


PERMANENT = {
    "503 beyond the retries": (
        {"route": "commits", "project": "acme/app", "page": 2, "kind": "503", "times": 7},
        "error: GET /api/v4/projects/101/repository/commits page 2 (commits of acme/app): "
        "HTTP 503 after 6 attempts",
    ),
    "a page repeated even when fetched again": (
        {"route": "commits", "project": "acme/app", "page": 2, "kind": "repeat_page", "times": 2},
        "error: commits of acme/app: page 2 repeats page 1 even when fetched again; the "
        "server's paging is unreliable, nothing was written",
    ),
    "x-next-page without Link": (
        {"route": "commits", "project": "acme/app", "page": 1, "kind": "strip_link"},
        'error: commits of acme/app: page 1 has x-next-page 2 but no Link rel="next"; '
        "the list cannot be followed safely",
    ),
}


@pytest.mark.parametrize("case", sorted(PERMANENT))
def test_a_permanent_fault_fails_the_run_and_changes_nothing_published(
    case: str,
    sim: SimServer,
    published: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    rule, line = PERMANENT[case]
    data, public = (
        Path(published["LEADERBOARD_DATA_DIR"]),
        Path(published["LEADERBOARD_PUBLIC_DIR"]),
    )
    before = tree_hashes(data, public)
    capsys.readouterr()
    sim.configure(scripted_faults=[rule])
    assert main(["run", "--full"], published) == 1
    err = capsys.readouterr().err
    assert [e for e in err.splitlines() if e.startswith("error:")] == [line], err
    assert tree_hashes(data, public) == before
    assert sim.stats()["faults"].get(rule["kind"], 0) > 0, "the fault never fired"
