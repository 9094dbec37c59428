"""Every failure of every command is one `error: ...` line naming the file or setting and what to
do, and changes nothing already written: damaged files, mistyped settings, bad flags."""

from __future__ import annotations

import datetime as dt
import http.server
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.sim import SimConfig, SimServer, sample_bots_txt, sample_teams_csv

NOW = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(now=NOW)) as server:
        yield server


def env_for(root: Path, sim: SimServer | None = None, **more: str) -> dict[str, str]:
    env = {
        "LEADERBOARD_TEAMS": str(root / "teams.csv"),
        "LEADERBOARD_BOTS": str(root / "bots.txt"),
        "LEADERBOARD_DATA_DIR": str(root / "data"),
        "LEADERBOARD_PUBLIC_DIR": str(root / "public"),
        "LEADERBOARD_BACKOFF_BASE": "0.01",
        "LEADERBOARD_BACKOFF_CAP": "0.05",
    }
    if sim is not None:
        env |= {"GITLAB_URL": sim.url, "GITLAB_TOKEN": sim.token, "LEADERBOARD_GROUPS": "acme"}
    return env | more


@pytest.fixture(scope="module")
def published(sim: SimServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ (raw, state, manifest, marts) and public/ of one complete run."""
    root = tmp_path_factory.mktemp("published")
    (root / "teams.csv").write_text(sample_teams_csv(NOW), encoding="utf-8")
    (root / "bots.txt").write_text(sample_bots_txt(), encoding="utf-8")
    assert main(["run"], env_for(root, sim)) == 0
    return root


@pytest.fixture
def site(published: Path, tmp_path: Path) -> Path:
    """A copy of the published run that a test may damage."""
    shutil.copytree(published, tmp_path / "run")
    return tmp_path / "run"


def snapshot(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def one_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The command's one error line; everything else on stderr is a warning or progress."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, err
    assert err.rstrip("\n").splitlines()[-1] == errors[0]
    return errors[0]


def first_raw(site: Path, table: str = "commits") -> Path:
    return sorted((site / "data" / "raw" / table).rglob("*.parquet"))[0]


FIX = (
    "the raw data is damaged; restore data/ from the last good run's artifacts, or run "
    "`leaderboard extract --full` to fetch it all again"
)


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:100]), "No magic bytes found at end of file"),
        (lambda p: p.write_bytes(b"garbage"), "File too small to be a Parquet file"),
        (
            lambda p: pq.write_table(pa.table({"id": ["x"], "authored_date": ["soon"]}), p),
            'invalid timestamp field format: "soon"',
        ),
    ],
    ids=["truncated", "garbage", "wrong-types"],
)
def test_build_names_a_damaged_raw_file_and_keeps_the_marts_and_site(
    site: Path, capsys: pytest.CaptureFixture[str], damage: object, why: str
) -> None:
    bad = first_raw(site)
    damage(bad)  # type: ignore[operator]
    before = snapshot(site / "data" / "marts") | snapshot(site / "public")
    capsys.readouterr()

    assert main(["build"], env_for(site)) == 1

    line = one_error(capsys)
    assert line.startswith(f"error: cannot read {bad} ({why}")
    assert line.endswith(f"): {FIX}")
    assert snapshot(site / "data" / "marts") | snapshot(site / "public") == before


def test_preview_names_a_damaged_raw_file(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = first_raw(site, "merge_requests")
    bad.write_bytes(b"garbage")
    capsys.readouterr()
    base = ["--base-teams", str(site / "teams.csv"), "--out", str(site / "p.md")]
    assert main(["preview", *base], env_for(site)) == 1
    assert one_error(capsys) == (
        f"error: cannot read {bad} (File too small to be a Parquet file): {FIX}"
    )
    assert not (site / "p.md").exists()


def test_publish_names_a_damaged_mart_and_keeps_the_site(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mart = site / "data" / "marts" / "leaderboard_users.parquet"
    mart.write_bytes(b"xx")
    before = snapshot(site / "public")
    capsys.readouterr()
    assert main(["publish"], env_for(site)) == 1
    assert one_error(capsys) == (
        f"error: cannot read {mart} (Could not open Parquet input source: Parquet file size is "
        "2 bytes, smaller than the minimum file footer (8 bytes)): rebuild the marts with "
        "`leaderboard build`"
    )
    assert snapshot(site / "public") == before


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("state.json", "delete it and the next run extracts in full"),
        ("users.json", "delete it and user records are fetched again"),
    ],
)
def test_extract_names_a_damaged_state_file_and_keeps_data(
    site: Path, sim: SimServer, capsys: pytest.CaptureFixture[str], name: str, fix: str
) -> None:
    state = site / "data" / "state" / name
    state.write_text('{"version": 1, "heads": {', encoding="utf-8")
    before = snapshot(site / "data")
    capsys.readouterr()
    assert main(["extract"], env_for(site, sim)) == 1
    assert one_error(capsys) == (
        f"error: cannot read {state} (Expecting property name enclosed in double quotes): {fix}"
    )
    assert snapshot(site / "data") == before


def test_an_incremental_extract_names_a_damaged_kept_part(
    site: Path, sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """An incremental run keeps earlier parts of unchanged listings; one of them is damaged."""
    bad = first_raw(site, "issues")
    bad.write_bytes(b"garbage")
    before = snapshot(site / "data")
    capsys.readouterr()
    assert main(["extract"], env_for(site, sim)) == 1
    line = one_error(capsys)
    assert line.startswith(f"error: cannot read {bad} (")
    assert line.endswith("): it is damaged; run `leaderboard extract --full`, which fetches "
                         "everything again")  # fmt: skip
    assert snapshot(site / "data") == before


def test_a_binary_roster_is_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    teams = tmp_path / "teams.csv"
    teams.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 40)
    assert main(["validate-teams"], env_for(tmp_path)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{teams}:1:-: not UTF-8: byte 0x89 at byte 1 of the line (and lines 5, 7, 9, 11, 13 and "
        "35 more); save it as CSV UTF-8 (in a spreadsheet: Save as > CSV UTF-8)",
        f"{teams}: 1 error; fix the lines above",
    ]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["bench", "--scale", "0"], "error: argument --scale: must be above 0"),
        (["bench", "--workers", "x"], "error: argument --workers: not a number: 'x'"),
        (["build", "--as-of", "yesterday"], "error: argument --as-of: not an ISO 8601 UTC time"),
        (["publish", "--nope"], "error: unrecognized arguments: --nope"),
    ],
)
def test_a_usage_mistake_is_one_line(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv, {})
    assert exited.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(line) and "see `leaderboard" in err[0]


def test_demo_into_a_folder_it_cannot_write_is_one_line(tmp_path: Path) -> None:
    """A failure no stage foresaw (here the OS refusing a folder) is still one line."""
    (tmp_path / "demo-output").write_text("not a folder", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "error: cannot use demo-output: File exists; check the path, its permissions and free space"
    )
    assert (tmp_path / "demo-output").read_text(encoding="utf-8") == "not a folder"


# Mistyped settings: each says what is wrong and what to set, at once (no 10 s of retries).


def extract_error(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[str, float]:
    started = time.monotonic()
    assert main(["extract"], env) == 1
    return one_error(capsys), time.monotonic() - started


def test_a_host_that_does_not_resolve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = env_for(tmp_path, GITLAB_URL="https://gitlab.example.invalid", GITLAB_TOKEN="t")
    (tmp_path / "teams.csv").write_text("team,username\nweb,alice\n", encoding="utf-8")
    line, seconds = extract_error(env | {"LEADERBOARD_GROUPS": "acme"}, capsys)
    assert line == (
        "error: GET /api/v4/version (GitLab version): host 'gitlab.example.invalid' not found "
        "(DNS) after 1 attempt; check the host name in GITLAB_URL (is 'gitlab.example.invalid' "
        "spelt right?) and the DNS"
    )
    assert seconds < 10
    assert not (tmp_path / "data" / "manifest.json").exists()


@pytest.mark.parametrize(
    ("setting", "path", "shown"),
    [
        ("LEADERBOARD_GROUPS", "/groups/acmee", "group 'acmee'"),
        ("LEADERBOARD_GROUPS", "/groups/acme%2Fnope", "group 'acme/nope'"),
        ("LEADERBOARD_PROJECTS", "/projects/acme%2Fnope", "project 'acme/nope'"),
    ],
)
def test_a_group_or_project_that_is_not_there_names_the_setting(
    sim: SimServer,
    site: Path,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    path: str,
    shown: str,
) -> None:
    """GitLab answers 404 both for a path that does not exist and for one the token may not
    see (lib/api/helpers.rb, find_group!/find_project! -> not_found!), as the simulator does."""
    ref = shown.split("'")[1]
    env = env_for(site, sim) | {"LEADERBOARD_GROUPS": "", setting: ref}
    before = snapshot(site / "data")
    line, _ = extract_error(env, capsys)
    kind, example = ("group", "acme/web") if "GROUPS" in setting else ("project", "acme/web/app")
    assert line == (
        f"error: GET /api/v4{path} ({kind} {ref}): HTTP 404 after 1 attempt; {shown} does not "
        f"exist or the token cannot see it: check {setting} (the full path in its URL, e.g. "
        f"{example}, or its numeric id) and that the token's user is a member of it"
    )
    assert snapshot(site / "data") == before


@pytest.fixture
def not_gitlab() -> Iterator[str]:
    """A web server that is no GitLab: every path is 404."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_url_that_is_no_gitlab(
    not_gitlab: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "teams.csv").write_text("team,username\nweb,alice\n", encoding="utf-8")
    env = env_for(tmp_path, GITLAB_URL=not_gitlab, GITLAB_TOKEN="t", LEADERBOARD_GROUPS="acme")
    line, _ = extract_error(env, capsys)
    assert line == (
        "error: GET /api/v4/version (GitLab version): HTTP 404 after 1 attempt; no GitLab API "
        "answers at GITLAB_URL: set it to the instance's address, e.g. https://gitlab.example.com"
    )


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"GITLAB_URL": "gitlab.example.com"},
            "error: GITLAB_URL must start with https:// (or http://): use "
            "'https://gitlab.example.com'",
        ),
        (
            {"GITLAB_URL": "https://gitlab.example.com/api/v4/"},
            "error: GITLAB_URL is the instance's address without /api/v4: use "
            "'https://gitlab.example.com'",
        ),
        (
            {"GITLAB_URL": "https://oauth2:glpat-abc@gitlab.example.com"},
            "error: GITLAB_URL must not hold a user name or password (the token goes in "
            "GITLAB_TOKEN): use 'https://gitlab.example.com'",
        ),
        (
            {"REQUESTS_CA_BUNDLE": "/nowhere/corp-ca.pem"},
            "error: REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) names /nowhere/corp-ca.pem, which "
            "does not exist: point it at your certificate authority's PEM file, or unset it",
        ),
        (
            {"LEADERBOARD_GROUPS": "https://gitlab.example.com/acme/web"},
            "error: LEADERBOARD_GROUPS takes ids or full paths such as acme/web, not "
            "'https://gitlab.example.com/acme/web': use 'acme/web'",
        ),
        (
            {"LEADERBOARD_PROJECTS": "acme/app.git"},
            "error: LEADERBOARD_PROJECTS takes ids or full paths such as acme/web, not "
            "'acme/app.git': use 'acme/app'",
        ),
        (
            {"LEADERBOARD_GROUPS": "acme web"},
            "error: LEADERBOARD_GROUPS is comma-separated ids or full paths, not 'acme web': "
            "e.g. acme,acme/web",
        ),
        (
            {"GITLAB_TOKEN": "Bearer glpat-abc"},
            "error: GITLAB_TOKEN holds a space or a quote: set it to the token alone (no "
            "'Bearer ', no quotes, one line)",
        ),
        (
            {"LEADERBOARD_NOREPLY_DOMAIN": "@users.noreply.gitlab.example.com"},
            "error: LEADERBOARD_NOREPLY_DOMAIN is a domain such as "
            "users.noreply.gitlab.example.com, not '@users.noreply.gitlab.example.com': use "
            "'users.noreply.gitlab.example.com'",
        ),
        (
            {"LEADERBOARD_SINCE": "2999-01-01"},
            "error: LEADERBOARD_SINCE=2999-01-01 is in the future: history must start before "
            "today (leave it empty for two years back)",
        ),
    ],
)
def test_a_mistyped_setting_says_what_to_set(
    env: dict[str, str], line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = {
        "GITLAB_URL": "https://gitlab.example.com",
        "GITLAB_TOKEN": "glpat-abc",
        "LEADERBOARD_GROUPS": "acme",
    }
    assert main(["extract"], env_for(tmp_path) | full | env) == 1
    assert one_error(capsys) == line
    assert "glpat-abc" not in line
    assert not (tmp_path / "data").exists()
