"""A multi-page listing replayed from a vcrpy cassette: no server, no token, record mode none."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml
from vcr.errors import CannotOverwriteExistingCassetteException

from pipeline.config import Secret, Settings
from pipeline.extract.gitlab.client import GitLabClient
from tests.cassettes.record import CASSETTE, RECORD_TOKEN, cassette_vcr, follow_listing


def recorded_base_url() -> str:
    """The simulator's address at recording time (an ephemeral port); vcrpy intercepts it."""
    first = yaml.safe_load(CASSETTE.read_text())["interactions"][0]["request"]["uri"]
    parts = urlsplit(first)
    return f"{parts.scheme}://{parts.netloc}"


def replay_client() -> GitLabClient:
    settings = Settings(retry_attempts=1)  # a replay miss must not be retried into a hang
    return GitLabClient(settings, base_url=recorded_base_url(), token=Secret("not-the-token"))


def test_the_listing_replays_page_by_page_to_its_end() -> None:
    with cassette_vcr("none").use_cassette(str(CASSETTE)) as cassette, replay_client() as client:
        pages = follow_listing(client)
        assert cassette.all_played
    assert [(p.x_page, p.x_total, p.x_total_pages, p.x_next_page) for p in pages] == [
        (1, 15, 3, "2"),
        (2, 15, 3, "3"),
        (3, 15, 3, ""),
    ]
    assert [p.next_url is None for p in pages] == [False, False, True]
    assert [item["iid"] for p in pages for item in p.items] == list(range(1, 16))
    first = pages[0].items[0]
    keys = ("id", "iid", "project_id", "title", "state", "created_at", "closed_by")
    assert {k: first[k] for k in keys} == {
        "id": 9001,
        "iid": 1,
        "project_id": 104,
        "title": "Speed up the importer",
        "state": "opened",
        "created_at": "2024-11-24T21:39:32.000Z",
        "closed_by": None,
    }
    assert first["author"]["username"] == "bob"


def test_the_cassette_holds_no_token() -> None:
    text = CASSETTE.read_text()
    assert RECORD_TOKEN not in text
    assert "private-token" not in text.lower() and "authorization" not in text.lower()


def test_a_request_that_was_not_recorded_is_refused_not_sent() -> None:
    with (
        cassette_vcr("none").use_cassette(str(CASSETTE)),
        replay_client() as client,
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        client.get_page("/projects/104/issues", {"per_page": 7}, what="issues", page=1)
