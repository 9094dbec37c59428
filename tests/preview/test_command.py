"""`leaderboard preview`: the Markdown report of a roster change, offline; the one MR note."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.preview.report import MARKER, md
from pipeline.sim import SimConfig, SimServer
from tests.preview.data import write_raw

CASES = Path(__file__).parents[1] / "preview_cases"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    write_raw(tmp_path / "data")
    shutil.copyfile(CASES / "teams.csv", tmp_path / "teams.csv")
    shutil.copyfile(CASES / "base_teams.csv", tmp_path / "base.csv")
    shutil.copyfile(CASES / "bots.txt", tmp_path / "bots.txt")
    return tmp_path


def env_for(workdir: Path, **extra: str) -> dict[str, str]:
    return {
        "LEADERBOARD_TEAMS": str(workdir / "teams.csv"),
        "LEADERBOARD_BOTS": str(workdir / "bots.txt"),
        "LEADERBOARD_DATA_DIR": str(workdir / "data"),
        **extra,
    }


def test_report_shows_moves_team_changes_new_emails_and_unresolved_names(workdir: Path) -> None:
    assert main(["preview", "--base-teams", str(workdir / "base.csv")], env_for(workdir)) == 0

    report = (workdir / "data" / "preview.md").read_text(encoding="utf-8")
    assert report == (CASES / "expected.md").read_text(encoding="utf-8")


def test_no_request_reaches_the_server(workdir: Path) -> None:
    with SimServer(SimConfig(now=dt.datetime(2026, 8, 23, tzinfo=dt.UTC))) as sim:
        before = sim.stats()["requests"]
        env = env_for(workdir, GITLAB_URL=sim.url, GITLAB_TOKEN=sim.token)
        out = workdir / "report.md"

        code = main(["preview", "--base-teams", str(workdir / "base.csv"), "--out", str(out)], env)

        assert code == 0 and out.read_text(encoding="utf-8").startswith(MARKER)
        assert sim.stats()["requests"] == before


def test_unchanged_roster_says_so(workdir: Path) -> None:
    out = workdir / "same.md"
    base = workdir / "teams.csv"
    assert main(["preview", "--base-teams", str(base), "--out", str(out)], env_for(workdir)) == 0
    report = out.read_text(encoding="utf-8")
    assert "No membership changes." in report
    assert "No commit email changes owner." in report
    assert "→" not in report.split("**7d**")[1].split("###")[0]


def test_as_of_flag_pins_the_windows(workdir: Path) -> None:
    """`--as-of` wins over the extraction's as_of, as for `build`: earlier, the windows move."""
    out = workdir / "earlier.md"
    base = str(workdir / "base.csv")
    earlier = ["--as-of", "2026-06-01T12:00:00Z"]
    code = main(["preview", "--base-teams", base, "--out", str(out), *earlier], env_for(workdir))
    assert code == 0
    report = out.read_text(encoding="utf-8")
    assert "(as of 2026-06-01 12:00 UTC" in report
    default = (CASES / "expected.md").read_text(encoding="utf-8")
    assert "(as of 2026-06-01" not in default and report != default


def test_an_as_of_after_the_data_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Later than the extraction, the report would silently count nothing: one error instead."""
    out = workdir / "later.md"
    later = ["--as-of", "2030-01-01T12:00:00Z"]
    base = str(workdir / "base.csv")
    assert main(["preview", "--base-teams", base, "--out", str(out), *later], env_for(workdir)) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: --as-of 2030-01-01T12:00:00Z is after the data in {workdir / 'data'}, which ends"
        " at 2026-08-23T00:00:00Z: the report would miss everything since; leave --as-of out, "
        "or pick a time up to the extraction's end"
    )
    assert not out.exists()


def test_flags_name_the_data_folder_rosters_and_bots(
    workdir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Flags win over the environment: a preview of files outside the environment's paths."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.move(workdir / "data", elsewhere / "extracted")
    for name in ("teams.csv", "bots.txt"):
        shutil.move(workdir / name, elsewhere / name)
    out = elsewhere / "report.md"
    args = ["preview", "--base-teams", str(workdir / "base.csv"), "--out", str(out)]
    args += ["--data-dir", str(elsewhere / "extracted"), "--teams", str(elsewhere / "teams.csv")]
    args += ["--bots", str(elsewhere / "bots.txt")]
    assert main(args, env_for(workdir)) == 0
    assert out.read_text(encoding="utf-8") == (CASES / "expected.md").read_text(encoding="utf-8")


def test_missing_base_roster_compares_against_empty(workdir: Path) -> None:
    out = workdir / "new.md"
    base = workdir / "absent.csv"
    assert main(["preview", "--base-teams", str(base), "--out", str(out)], env_for(workdir)) == 0
    report = out.read_text(encoding="utf-8")
    assert f"Note: {md(base)} does not exist on the base branch" in report
    assert "| alice | joins | — | Platform |" in report


def test_no_raw_data_is_an_error_naming_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(CASES / "teams.csv", tmp_path / "teams.csv")
    code = main(["preview", "--base-teams", str(tmp_path / "teams.csv")], env_for(tmp_path))
    assert code == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: no raw data under {tmp_path / 'data'}/raw: the preview needs the last "
        "extraction's data folder (an artifact of the scheduled pipeline's extract job); point "
        "--data-dir or LEADERBOARD_DATA_DIR at it"
    )


def test_markdown_escaping_of_user_text() -> None:
    assert md("a|b <i>x</i> *y* [z](u) @all\nnext") == (
        "a\\|b &lt;i&gt;x&lt;/i&gt; \\*y\\* \\[z\\](u) @\u200ball next"
    )
    assert md("me@laptop") == "me@laptop"


class NotesServer:
    """A loopback stand-in for GitLab's MR notes API (GET list, POST, PUT)."""

    def __init__(self, token: str) -> None:
        self.notes: list[dict[str, Any]] = [{"id": 1, "body": "LGTM"}]
        self.calls: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                path = self.path.split("?")[0]
                server.calls.append((method, path))
                if self.headers.get("PRIVATE-TOKEN") != token:
                    return self._reply(401, {"message": "401 Unauthorized"})
                base = "/api/v4/projects/42/merge_requests/7/notes"
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                if method == "GET" and path == base:
                    return self._reply(200, server.notes)
                if method == "POST" and path == base:
                    note = {"id": len(server.notes) + 1, "body": body["body"]}
                    server.notes.append(note)
                    return self._reply(201, note)
                if method == "PUT" and path.startswith(base + "/"):
                    note = next(n for n in server.notes if n["id"] == int(path.rsplit("/", 1)[1]))
                    note["body"] = body["body"]
                    return self._reply(200, note)
                return self._reply(404, {"message": "404 Not Found"})

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def notes_server() -> Iterator[NotesServer]:
    server = NotesServer(token="note-secret")
    yield server
    server.close()


def test_note_is_posted_once_then_updated_in_place(
    workdir: Path, notes_server: NotesServer, capsys: pytest.CaptureFixture[str]
) -> None:
    env = env_for(
        workdir,
        CI_SERVER_URL=notes_server.url,
        LEADERBOARD_NOTE_TOKEN="note-secret",
        CI_PROJECT_ID="42",
        CI_MERGE_REQUEST_IID="7",
    )
    args = ["preview", "--base-teams", str(workdir / "base.csv")]
    base = "/api/v4/projects/42/merge_requests/7/notes"

    assert main(args, env) == 0
    assert main(args, env) == 0

    assert notes_server.calls == [
        ("GET", base),
        ("POST", base),
        ("GET", base),
        ("PUT", f"{base}/2"),
    ]
    report = (workdir / "data" / "preview.md").read_text(encoding="utf-8")
    assert notes_server.notes == [{"id": 1, "body": "LGTM"}, {"id": 2, "body": report}]
    assert "note-secret" not in capsys.readouterr().err


def test_rejected_note_token_fails_with_a_hint(
    workdir: Path, notes_server: NotesServer, capsys: pytest.CaptureFixture[str]
) -> None:
    env = env_for(
        workdir,
        CI_SERVER_URL=notes_server.url,
        LEADERBOARD_NOTE_TOKEN="wrong-secret",
        CI_PROJECT_ID="42",
        CI_MERGE_REQUEST_IID="7",
    )
    assert main(["preview", "--base-teams", str(workdir / "base.csv")], env) == 1
    err = capsys.readouterr().err
    assert (
        "error: GET /api/v4/projects/42/merge_requests/7/notes page 1 (MR notes): HTTP 401" in err
    )
    assert "wrong-secret" not in err


def test_claimable_emails_and_bots_are_masked_unless_publishing_emails(workdir: Path) -> None:
    base = str(workdir / "base.csv")
    masked_out, shown_out = workdir / "masked.md", workdir / "shown.md"
    assert main(["preview", "--base-teams", base, "--out", str(masked_out)], env_for(workdir)) == 0
    env = env_for(workdir, LEADERBOARD_PUBLISH_EMAILS="1")
    assert main(["preview", "--base-teams", base, "--out", str(shown_out)], env) == 0
    masked, shown = (p.read_text(encoding="utf-8") for p in (masked_out, shown_out))
    for email in ("stranger@else.example", "ci@bots.example"):
        assert email not in masked
    assert (
        "| stranger@else.example | stranger | 2 "
        "| [acme/app](https://gitlab.example.com/acme/app) (2) | 2026-08-19 "
        "| TEAM,USERNAME,stranger@else.example |" in shown
    )
    assert "| ci@bots.example | bots.txt | no | 1 | 0 | 0 | 0 | 0 |" in shown
    assert "| deploy-bot | GitLab bot flag | yes | 1 | 1 | 1 | 0 | 0 |" in shown
