"""Re-record the cassettes of tests/extract/gitlab/test_cassette.py from the simulator.

Run from the repository root:  .venv/bin/python tests/cassettes/record.py
It starts the simulator on 127.0.0.1 (an ephemeral port), follows the listing below through
GitLabClient with vcrpy recording, and writes tests/cassettes/project_issues_listing.yaml.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import vcr

#: The token the recording runs with; the cassette test asserts it never reaches the file.
RECORD_TOKEN = "glpat-cassette-Rec0rding-SECRET"
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
CASSETTE = Path(__file__).with_name("project_issues_listing.yaml")
LISTING = "/projects/104/issues"
PARAMS = {"per_page": 6, "state": "all", "order_by": "created_at", "sort": "asc"}
#: Request headers that carry credentials; vcrpy drops them before writing.
FILTER_HEADERS = ["PRIVATE-TOKEN", "Authorization", "JOB-TOKEN"]
#: Everything but headers: the replaying client need not know the recorded token.
MATCH_ON = ["method", "scheme", "host", "port", "path", "query"]


def cassette_vcr(record_mode: str) -> vcr.VCR:
    return vcr.VCR(
        record_mode=record_mode,
        filter_headers=FILTER_HEADERS,
        match_on=MATCH_ON,
        decode_compressed_response=True,
    )


def follow_listing(client: Any) -> list[Any]:
    """Every page of LISTING, following Link rel="next" to its end (client: GitLabClient)."""
    pages = [client.get_page(LISTING, PARAMS, what="issues of acme/legacy", page=1)]
    while pages[-1].next_url:
        page = len(pages) + 1
        pages.append(client.get_page(pages[-1].next_url, what="issues of acme/legacy", page=page))
    return pages


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pipeline.config import Secret, Settings
    from pipeline.extract.gitlab.client import GitLabClient
    from pipeline.sim import SimConfig, SimServer

    CASSETTE.unlink(missing_ok=True)
    with SimServer(SimConfig(now=NOW, token=RECORD_TOKEN)) as sim:
        client = GitLabClient(Settings(), base_url=sim.url, token=Secret(sim.token))
        with client, cassette_vcr("all").use_cassette(str(CASSETTE)):
            pages = follow_listing(client)
    text = CASSETTE.read_text()
    if RECORD_TOKEN in text:
        CASSETTE.unlink()
        raise SystemExit("the token reached the cassette; nothing written")
    print(f"{CASSETTE}: {len(pages)} pages, {sum(len(p.items) for p in pages)} items")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
