"""The page's unmatched-email and bot sections: exact rows, claim hints, escaping, masking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pipeline.config import Settings
from pipeline.roster import identities
from pipeline.roster.identities import INVALID, Place, UnmatchedEmail
from pipeline.schema import MARTS
from pipeline.site.publish import run_publish
from tests.site.data import AS_OF, JS_URL, T_IMG, T_SCRIPT, marts, write_data_dir
from tests.site.test_publish import tables_of

PROJECT = "https://gitlab.example.com/acme/board"
EDIT = f"{PROJECT}/-/edit/main/teams.csv"
PIPELINE = f"{PROJECT}/-/pipelines/9"
ARTIFACTS = "Full address in the scheduled pipeline's artifacts"
DAYS = {"zed": ("2026-07-04 00:00 UTC", "2026-08-21 00:00 UTC")}


def publish(tmp_path: Path, **flags: Any) -> str:
    write_data_dir(tmp_path / "data")
    settings = Settings(data_dir=tmp_path / "data", public_dir=tmp_path / "public", **flags)
    public = run_publish(settings, now=AS_OF)
    return (public / "index.html").read_text(encoding="utf-8")


def test_unmatched_rows_masked_by_default(tmp_path: Path) -> None:
    html = publish(tmp_path, pipeline_url=PIPELINE)
    # zed@laptop and zoe@laptop mask alike; each keeps its own name and projects
    assert tables_of(html)["unmatched-authors"] == [
        ["z***@laptop", T_IMG, "3", "acme/<b>app</b> (3 commits)", *DAYS["zed"], ARTIFACTS],
        ["=***@evil.example", "@SUM(A1)", "1", "acme/app (1 commit)acme/fork (1 commit)",
         "2026-08-14 00:00 UTC", "2026-08-14 00:00 UTC", ARTIFACTS],
        ["z***@laptop", "Zoe", "1", "acme/fork (1 commit)", "2026-08-20 00:00 UTC",
         "2026-08-20 00:00 UTC", ARTIFACTS],
    ]  # fmt: skip
    for email in ("zed@laptop", "zoe@laptop", "=cmd@evil.example", "ci@bots.example"):
        assert email not in html
    assert f'<a href="{PIPELINE}" rel="noopener noreferrer">pipeline</a>' in html
    assert "the full addresses are in the scheduled pipeline's job artifacts" in html


def test_unmatched_rows_with_emails_published_give_the_teams_csv_line(tmp_path: Path) -> None:
    html = publish(tmp_path, publish_emails=True, project_url=PROJECT, default_branch="main")
    rows = tables_of(html)["unmatched-authors"]
    assert [(r[0], r[-1]) for r in rows] == [
        ("zed@laptop", "TEAM,USERNAME,zed@laptop edit"),
        ("=cmd@evil.example", "TEAM,USERNAME,=cmd@evil.example edit"),
        ("zoe@laptop", "TEAM,USERNAME,zoe@laptop edit"),
    ]
    assert '<td class="claim"><code>TEAM,USERNAME,zed@laptop</code>' in html
    assert html.count(f'<a href="{EDIT}" rel="noopener noreferrer">') == 4  # 3 rows + the help
    assert "job artifacts" not in html


def test_no_editor_link_without_the_project(tmp_path: Path) -> None:
    html = publish(tmp_path, publish_emails=True)
    assert tables_of(html)["unmatched-authors"][0][-1] == "TEAM,USERNAME,zed@laptop"
    assert "/-/edit/" not in html


def test_hostile_project_paths_and_urls_stay_text(tmp_path: Path) -> None:
    html = publish(tmp_path)
    assert "acme/&lt;b&gt;app&lt;/b&gt;" in html and "<b>app" not in html
    assert JS_URL not in html
    assert '<a href="https://gitlab.example.com/acme/fork" rel="noopener noreferrer">' in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert T_SCRIPT not in html


@pytest.mark.parametrize("publish_emails", [False, True])
def test_bots_are_listed_apart(tmp_path: Path, publish_emails: bool) -> None:
    html = publish(tmp_path, publish_emails=publish_emails)
    email = "ci@bots.example" if publish_emails else "c***@bots.example"
    assert tables_of(html)["bots-table"] == [
        ["renovate", "GitLab bot flag", "yes", "4", "2", "1", "0", "0"],
        [email, "bots.txt", "no", "7", "0", "0", "0", "0"],
        [T_SCRIPT, "bots.txt", "no", "0", "0", "0", "0", "0"],
    ]
    unmatched = [r[0] for r in tables_of(html)["unmatched-authors"]]
    assert email not in unmatched and "renovate" not in unmatched


def test_downloads_list_the_extra_marts(tmp_path: Path) -> None:
    html = publish(tmp_path)
    for name in ("unmatched_projects", "bot_activity"):
        assert f'<a href="data/{name}.csv">csv</a>' in html
        assert (tmp_path / "public" / "data" / f"{name}.json").is_file()


def tables(rows: dict[str, list[dict[str, Any]]]) -> dict[str, pa.Table]:
    return {name: pa.Table.from_pylist(data, schema=MARTS[name]) for name, data in rows.items()}


def test_unmatched_emails_join_on_the_full_address_then_mask() -> None:
    data = marts()
    found = identities.unmatched_emails(tables(data), show_emails=False)
    assert found[0] == UnmatchedEmail(
        email="z***@laptop",
        name=T_IMG,
        commits=3,
        projects=1,
        places=(Place("acme/<b>app</b>", JS_URL, 3),),
        first_seen=AS_OF - dt.timedelta(days=50),
        last_seen=AS_OF - dt.timedelta(days=2),
        claim_line=None,
        problem=None,
    )
    assert found[2].name == "Zoe" and found[2].places == (
        Place("acme/fork", "https://gitlab.example.com/acme/fork", 1),
    )


def test_an_address_teams_csv_cannot_hold_gets_no_claim_line_and_is_not_echoed() -> None:
    data = marts()
    data["unmatched_authors"] = [
        {**data["unmatched_authors"][0], "author_email": "two words@laptop"},
        {**data["unmatched_authors"][0], "author_email": "", "commits": 1},
    ]
    data["unmatched_projects"] = []
    found = identities.unmatched_emails(tables(data), show_emails=True)
    assert [(u.email, u.claim_line, u.problem, u.places) for u in found] == [
        ("two words@laptop", None, INVALID, ()),
        ("", None, INVALID, ()),
    ]
    assert "words" not in INVALID


def test_many_projects_show_five_then_how_many_more() -> None:
    from pipeline.site.identities import places_cell

    places = tuple(Place(f"acme/p{i}", None, 10 - i) for i in range(5))
    item = UnmatchedEmail("x@y", None, 9, 7, places, None, None, None, None)
    cell = places_cell(item)
    assert cell.count("<li>") == 5 and '<li class="more">and 2 more</li>' in cell
