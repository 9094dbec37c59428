"""Rule 5: the token never appears in anything a run writes or says, failing runs included.

Every command runs with a distinctive token against the demo simulator, verbosely; then every
file written (Parquet read back as values too), the cassettes, stdout, stderr and every log
record are scanned for the token, URL-encoded, and inside base64 at any alignment.
"""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.config import Secret, Settings
from pipeline.extract.gitlab.client import GitLabClient
from pipeline.sim import SimConfig, SimServer
from tests.cassettes.record import RECORD_TOKEN, cassette_vcr, follow_listing
from tests.run_support import AS_OF, NOW, demo_env

TOKEN = "glpat-LEAKCHECK-q7Zr2mXv9TbW"
WRONG = "glpat-LEAKCHECK-wr0ngT0kenAbc"
CASSETTES = Path(__file__).parent / "cassettes"


def leak_forms(secret: str) -> list[bytes]:
    """The secret as written, URL-encoded, and the stable middle of its base64 at 3 alignments."""
    raw = secret.encode()
    forms = {raw, quote(secret, safe="").encode(), quote_plus(secret).encode()}
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * pad + raw)
            # the first 4 chars mix in the padding; the last 4 the end of input or padding
            forms.add(encoded[4:-4])
    return sorted(forms)


def hits(blob: bytes, secrets: tuple[str, ...] = (TOKEN, WRONG)) -> list[str]:
    found = []
    for secret in secrets:
        for form in leak_forms(secret):
            if form in blob or form.lower() in blob.lower():
                found.append(form.decode())
    return found


def file_text(path: Path) -> bytes:
    """The file's bytes; for Parquet also every value and the metadata, since pages compress."""
    blob = path.read_bytes()
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        blob += repr(table.to_pylist()).encode() + repr(table.schema.metadata).encode()
    return blob


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW, token=TOKEN)) as server:
        yield server


@pytest.fixture(autouse=True)
def no_faults(sim: SimServer) -> Iterator[None]:
    yield
    sim.configure(scripted_faults=[], fault_rate=0.0)


@pytest.fixture
def said(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[list[str]]:
    """Collects what the commands print and log; asserts after the test that it is clean."""
    caplog.set_level(logging.DEBUG)
    out: list[str] = []
    yield out
    captured = capsys.readouterr()
    out += [captured.out, captured.err, caplog.text]
    for record in caplog.records:
        out += [record.getMessage(), str(record.args), record.exc_text or ""]
    assert hits("\n".join(out).encode()) == []


def run(argv: list[str], env: dict[str, str]) -> int:
    return main(["-v", *argv], env)


def scan_tree(root: Path) -> dict[str, list[str]]:
    written = [p for p in sorted(root.rglob("*")) if p.is_file()]
    assert written, f"nothing written under {root}"
    return {str(p.relative_to(root)): found for p in written if (found := hits(file_text(p)))}


def test_the_leak_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scan is only worth something if it fires on each form of the token."""
    for blob in (
        TOKEN.encode(),
        quote(TOKEN, safe="").encode(),
        base64.b64encode(f"oauth2:{TOKEN}".encode()),
        base64.b64encode(f"x{TOKEN}".encode()),
        base64.b64encode(f"xy{TOKEN}".encode()),
    ):
        assert hits(b"prefix " + blob + b" suffix"), blob
    parquet = tmp_path / "t.parquet"
    pq.write_table(pa.table({"x": [TOKEN * 3]}), parquet, compression="zstd")
    assert hits(file_text(parquet))


def test_full_run_incremental_run_and_rebuild_leak_nothing(
    sim: SimServer, tmp_path: Path, said: list[str]
) -> None:
    env = demo_env(sim, tmp_path, LEADERBOARD_PUBLISH_RAW="1", LEADERBOARD_PUBLISH_EMAILS="1")
    assert env["GITLAB_TOKEN"] == TOKEN
    assert run(["validate-teams"], env) == 0
    assert run(["run"], env) == 0
    assert run(["extract"], env) == 0
    assert run(["build", "--as-of", AS_OF], env) == 0
    assert run(["publish"], env) == 0
    assert (tmp_path / "public" / "index.html").is_file()
    assert scan_tree(tmp_path) == {}


def test_failing_runs_leak_nothing(
    sim: SimServer, tmp_path: Path, said: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    env = demo_env(sim, tmp_path, LEADERBOARD_RETRY_ATTEMPTS="2")
    assert run(["run"], env) == 0

    def fails(argv: list[str], **changes: str) -> str:
        assert run(argv, {**env, **changes}) == 1
        captured = capsys.readouterr()
        said.extend([captured.out, captured.err])
        return next(line for line in captured.err.splitlines() if line.startswith("error:"))

    rule = {"route": "commits", "project": "acme/app", "page": 2, "kind": "503", "times": 9}
    sim.configure(scripted_faults=[rule])
    assert "HTTP 503 after 2 attempts" in fails(["run", "--full"])
    sim.configure(scripted_faults=[], fault_rate=1.0, fault_kinds=["reset", "truncated"])
    assert "after 2 attempts" in fails(["extract", "--full"])
    sim.configure(fault_rate=0.0)
    assert "HTTP 401" in fails(["extract"], GITLAB_TOKEN=WRONG)
    assert "connection refused" in fails(
        ["extract"], GITLAB_URL=f"http://127.0.0.1:{closed_port()}"
    )
    # credentials written into the URL by mistake
    host = sim.url.removeprefix("http://")
    assert run(["extract"], {**env, "GITLAB_URL": f"http://oauth2:{TOKEN}@{host}"}) in (0, 1)
    assert scan_tree(tmp_path) == {}


def test_cassettes_hold_no_token(sim: SimServer, tmp_path: Path) -> None:
    """A cassette recorded here with the token, and the committed ones, are clean."""
    cassette = tmp_path / "recorded.yaml"
    client = GitLabClient(Settings(), base_url=sim.url, token=Secret(TOKEN))
    with client, cassette_vcr("all").use_cassette(str(cassette)):
        assert follow_listing(client)
    assert cassette.stat().st_size > 0
    assert hits(cassette.read_bytes()) == []
    committed = sorted(p for p in CASSETTES.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    assert committed, "no committed cassettes"
    for path in committed:
        assert hits(path.read_bytes(), (TOKEN, RECORD_TOKEN)) == [], path


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
