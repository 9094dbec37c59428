"""The component's state fetch: the previous data/ via the job artifacts API, loud on errors."""

from __future__ import annotations

import http.server
import io
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "job-token-s3cr3t"


class _Loader(yaml.SafeLoader):
    """GitLab YAML: `!reference [job, key]` read as a plain list."""


_Loader.add_constructor("!reference", lambda loader, node: loader.construct_sequence(node))


def _fetch_script() -> str:
    text = (ROOT / "templates" / "leaderboard.yml").read_text("utf-8")
    body = list(yaml.load_all(text, Loader=_Loader))[1]
    script: str = body[".leaderboard-fetch-state"]["script"][0]
    return script


def _archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


class FakeGitLab:
    """Answers /jobs/artifacts/... from (status, body) answers per job name; records requests."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, bytes]]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path.startswith("/storage/"):
                    self._send(200, fake.storage)
                    return
                job = self.path.split("job=", 1)[1]
                queue = fake.answers.get(job, [(404, b'{"message":"404 Not Found"}')])
                status, body = queue.pop(0) if len(queue) > 1 else queue[0]
                if status == 302:
                    self.send_response(302)
                    self.send_header("Location", "/storage/archive.zip")
                    self.end_headers()
                    return
                self._send(status, body)

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.storage = b""
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v4"

    def jobs_requested(self) -> list[str]:
        return [path.split("job=", 1)[1] for path, _ in self.requests if "job=" in path]


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    fake = FakeGitLab()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def _run(
    workdir: Path, gitlab: FakeGitLab, mode: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "CI_API_V4_URL": gitlab.url,
        "CI_PROJECT_ID": "42",
        "CI_DEFAULT_BRANCH": "main",
        "CI_JOB_TOKEN": TOKEN,
        "LEADERBOARD_FETCH_MODE": mode,
        **env,
    }
    return subprocess.run(
        ["bash", "-c", _fetch_script()],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


PREVIOUS = {
    "data/manifest.json": "{}",
    "data/state/state.json": "state",
    "data/raw/commits/p1/a.parquet": "c",
}


def test_unsharded_run_restores_its_own_extract_job(tmp_path: Path, gitlab: FakeGitLab) -> None:
    gitlab.answers["leaderboard%3Aextract%201%2F1"] = [(200, _archive(PREVIOUS))]
    result = _run(tmp_path, gitlab, "own", CI_NODE_INDEX="1", CI_NODE_TOTAL="1")
    assert result.returncode == 0, result.stderr
    assert _tree(tmp_path) == PREVIOUS
    path, headers = gitlab.requests[0]
    assert path == (
        "/api/v4/projects/42/jobs/artifacts/main/download?job=leaderboard%3Aextract%201%2F1"
    )
    assert headers["job-token"] == TOKEN
    assert TOKEN not in result.stdout + result.stderr


def test_a_shard_keeps_only_its_own_part(tmp_path: Path, gitlab: FakeGitLab) -> None:
    parts = {"data/shard-2/state/state.json": "two", "data/shard-3/state/state.json": "three"}
    gitlab.answers["leaderboard%3Aextract%202%2F3"] = [(200, _archive(parts))]
    result = _run(tmp_path, gitlab, "own", CI_NODE_INDEX="2", CI_NODE_TOTAL="3")
    assert result.returncode == 0, result.stderr
    assert _tree(tmp_path) == {"data/shard-2/state/state.json": "two"}


def test_all_mode_unions_every_shard(tmp_path: Path, gitlab: FakeGitLab) -> None:
    for i in (1, 2):
        part = {f"data/shard-{i}/raw/x.parquet": str(i)}
        gitlab.answers[f"leaderboard%3Aextract%20{i}%2F2"] = [(200, _archive(part))]
    result = _run(tmp_path, gitlab, "all", LEADERBOARD_PARALLEL="2")
    assert result.returncode == 0, result.stderr
    assert _tree(tmp_path) == {"data/shard-1/raw/x.parquet": "1", "data/shard-2/raw/x.parquet": "2"}


def test_no_previous_artifacts_means_a_full_run(tmp_path: Path, gitlab: FakeGitLab) -> None:
    result = _run(tmp_path, gitlab, "own")
    assert result.returncode == 0, result.stderr
    assert "this run extracts in full" in result.stdout
    assert _tree(tmp_path) == {}


@pytest.mark.parametrize("status", [401, 403, 400])
def test_other_http_errors_fail_loudly_without_the_token(
    tmp_path: Path, gitlab: FakeGitLab, status: int
) -> None:
    gitlab.answers["leaderboard%3Aextract%201%2F1"] = [(status, b"nope")]
    result = _run(tmp_path, gitlab, "own")
    assert result.returncode == 1
    assert f"HTTP {status}" in result.stderr
    assert "error: fetching the previous run's data" in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert _tree(tmp_path) == {}


def test_a_transient_error_is_retried(tmp_path: Path, gitlab: FakeGitLab) -> None:
    gitlab.answers["leaderboard%3Aextract%201%2F1"] = [(503, b""), (200, _archive(PREVIOUS))]
    result = _run(tmp_path, gitlab, "own")
    assert result.returncode == 0, result.stderr
    assert gitlab.jobs_requested() == ["leaderboard%3Aextract%201%2F1"] * 2
    assert _tree(tmp_path) == PREVIOUS


def test_a_damaged_archive_fails(tmp_path: Path, gitlab: FakeGitLab) -> None:
    gitlab.answers["leaderboard%3Aextract%201%2F1"] = [(200, b"PK\x03\x04 truncated")]
    result = _run(tmp_path, gitlab, "own")
    assert result.returncode == 1
    assert "damaged" in result.stderr


def test_the_token_is_not_sent_on_to_a_redirect(tmp_path: Path, gitlab: FakeGitLab) -> None:
    gitlab.answers["leaderboard%3Aextract%201%2F1"] = [(302, b"")]
    gitlab.storage = _archive(PREVIOUS)
    result = _run(tmp_path, gitlab, "own")
    assert result.returncode == 0, result.stderr
    (_, first), (storage_path, second) = gitlab.requests
    assert storage_path == "/storage/archive.zip"
    assert first["job-token"] == TOKEN and "job-token" not in second
    assert _tree(tmp_path) == PREVIOUS


def test_a_stand_in_directory_replaces_the_api(tmp_path: Path, gitlab: FakeGitLab) -> None:
    previous = tmp_path / "previous"
    for name, text in {**PREVIOUS, "data/marts/x.parquet": "m"}.items():
        (previous / name).parent.mkdir(parents=True, exist_ok=True)
        (previous / name).write_text(text)
    work = tmp_path / "work"
    work.mkdir()
    result = _run(work, gitlab, "own", LEADERBOARD_PREVIOUS_ARTIFACTS=str(previous))
    assert result.returncode == 0, result.stderr
    assert _tree(work) == PREVIOUS
    assert gitlab.requests == []


def test_an_empty_stand_in_means_a_full_run(tmp_path: Path, gitlab: FakeGitLab) -> None:
    result = _run(tmp_path, gitlab, "own", LEADERBOARD_PREVIOUS_ARTIFACTS=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "this run extracts in full" in result.stdout
    assert _tree(tmp_path) == {}
    assert gitlab.requests == []


def test_an_archive_without_data_fails(tmp_path: Path, gitlab: FakeGitLab) -> None:
    gitlab.answers["leaderboard%3Aextract%201%2F1"] = [(200, _archive({"other/x": "1"}))]
    result = _run(tmp_path, gitlab, "own")
    assert result.returncode == 1
    assert "hold no data/ folder" in result.stderr


def test_the_inline_script_is_lint_clean(tmp_path: Path) -> None:
    script = _fetch_script()
    code = script.split("<<'PY'\n", 1)[1].rsplit("\nPY", 1)[0] + "\n"
    (tmp_path / "fetch.py").write_text(code, encoding="utf-8")
    ruff = [str(Path(sys.executable).parent / "ruff"), "--config", str(ROOT / "pyproject.toml")]
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [*ruff, *command, str(tmp_path / "fetch.py")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
