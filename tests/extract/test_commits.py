"""Commits' co-authors as the extraction stores them: GitLab's parsed trailers, or the message on
an older GitLab, give the same rows; malformed values are counted in the manifest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.extract.command import extract
from pipeline.sim import SimConfig, SimServer
from tests.extract.support import NOW, SINCE, read_raw, settings_for


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer(SimConfig(profile="demo", now=NOW)) as server:
        yield server


def coauthors_by_sha(data: Path) -> dict[str, list[dict[str, str]]]:
    raw = read_raw(data, "commits")
    commits = raw.filter(raw["project_id"] == 101)
    return {
        sha: people
        for sha, people in zip(commits["id"], commits["coauthors"].to_list(), strict=True)
        if people
    }


def test_coauthors_from_gitlabs_trailers_and_from_an_older_gitlabs_messages(
    sim: SimServer, tmp_path: Path
) -> None:
    result = extract(settings_for(sim, tmp_path / "new", LEADERBOARD_SINCE=SINCE))
    stored = coauthors_by_sha(tmp_path / "new")
    truth = {
        c.sha: [{"name": n, "email": e} for n, e in c.coauthors]
        for c in sim.dataset.commits.values()
        if c.coauthors
    }
    # each email once per commit (git reads Nadia twice, in two cases of one address)
    assert set(stored) == set(truth)
    for sha, people in stored.items():
        emails = [p["email"].lower() for p in truth[sha]]
        assert [p["email"].lower() for p in people] == list(dict.fromkeys(emails))
    app = next(
        e for e in result.manifest["listings"]
        if e["what"] == "commits" and e["project"] == "acme/app"
    )  # fmt: skip
    assert app["malformed_coauthors"] == 2  # "Dmitri Ivanov", "Kim <kim at acme dot example>"
    sim.configure(commit_trailers=False)
    extract(settings_for(sim, tmp_path / "old", LEADERBOARD_SINCE=SINCE))
    assert coauthors_by_sha(tmp_path / "old") == stored
