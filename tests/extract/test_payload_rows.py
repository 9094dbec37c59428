"""Each resource module's conversion on real gitlab.com payloads: exact whole rows, nulls,
offsets converted to UTC (commits, merge requests and issues, projects, users)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline import schema
from pipeline.extract.commits import commits_table
from pipeline.extract.mrs_and_issues import issues_table, merge_requests_table
from pipeline.extract.projects import project_row
from pipeline.extract.users import user_row
from pipeline.times import parse_optional

# Real gitlab.com response bodies (apache/devlake fixtures, Apache-2.0; see the README there).
PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "gitlab-payloads"
AT = dt.datetime(2026, 8, 23, 0, 0, 4, tzinfo=dt.UTC)
UTC = dt.UTC


def load(name: str) -> list[dict[str, object]]:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def one(table: pa.Table) -> dict[str, object]:
    """The row a one-item page becomes."""
    (row,) = table.to_pylist()
    return row


def ts(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


TAYLOR = {"id": 1942272, "username": "tayloramurphy", "state": "active"}
EMILIE = {"id": 2295562, "username": "emilie", "state": "active"}
ALEX = {"id": 2478227, "username": "aianus", "state": "active"}
PROJECT = "https://gitlab.com/gitlab-data/snowflake_spend"


def test_merged_merge_request_row() -> None:
    item = load("merge_requests.json")[0]
    assert one(merge_requests_table([item], AT)) == {
        "id": 32348491,
        "iid": 1,
        "project_id": 12345678,
        "title": 'Resolve "Add documentation to snowflake spend package"',
        "created_at": ts(2019, 6, 28, 5, 21, 43, 743000),
        "updated_at": ts(2019, 6, 28, 14, 32, 5, 270000),
        "merged_at": ts(2019, 6, 28, 14, 32, 6, 192000),
        "author": EMILIE,
        "merged_by": TAYLOR,
        "closed_by": None,
        "_extracted_at": AT,
    }


def test_closed_merge_request_row_has_null_merge_fields() -> None:
    item = load("merge_requests.json")[10]
    assert one(merge_requests_table([item], AT)) == {
        "id": 68978485,
        "iid": 13,
        "project_id": 12345678,
        "title": "Include more snowflake qrt columns",
        "created_at": ts(2020, 8, 27, 20, 17, 1, 825000),
        "updated_at": ts(2020, 8, 27, 20, 20, 8, 131000),
        "merged_at": None,
        "author": ALEX,
        "merged_by": None,
        "closed_by": ALEX,
        "_extracted_at": AT,
    }


def test_merge_user_used_only_when_merged_by_is_absent() -> None:
    item = copy.deepcopy(load("merge_requests.json")[0])
    del item["merged_by"]
    assert one(merge_requests_table([item], AT))["merged_by"] == TAYLOR


def test_closed_issue_row() -> None:
    item = load("issues.json")[0]
    assert one(issues_table([item], AT)) == {
        "id": 22097949,
        "iid": 1,
        "project_id": 12345678,
        "title": "Add documentation to snowflake spend package",
        "created_at": ts(2019, 6, 20, 15, 4, 58, 946000),
        "updated_at": ts(2019, 6, 28, 14, 32, 5, 434000),
        "closed_at": ts(2019, 6, 28, 14, 32, 5, 376000),
        "author": EMILIE,
        "closed_by": TAYLOR,
        "_extracted_at": AT,
    }


def test_open_issue_row_has_nulls() -> None:
    item = load("issues.json")[2]
    assert one(issues_table([item], AT)) == {
        "id": 23577209,
        "iid": 3,
        "project_id": 12345678,
        "title": "Expand package",
        "created_at": ts(2019, 8, 7, 13, 52, 40, 231000),
        "updated_at": ts(2020, 4, 8, 20, 53, 43, 146000),
        "closed_at": None,
        "author": EMILIE,
        "closed_by": None,
        "_extracted_at": AT,
    }


def test_commit_row() -> None:
    item = load("merge_request_commits.json")[5]
    sha = "083864201849f6707a34d24e61c43638696f95a6"
    assert one(commits_table([item], 7, AT)) == {
        "project_id": 7,
        "id": sha,
        "title": "Update README to include steps to resolve a potential dbt-utils conflict",
        "author_name": "Martin Guindon",
        "author_email": "mguindon@absolunet.com",
        "authored_date": ts(2019, 8, 15, 19, 32, 19),
        "parent_count": 0,
        "coauthors": [],  # its extended_trailers name nobody (a real payload, fetched without)
        "_extracted_at": AT,
        "coauthors_malformed": 0,  # observed for the manifest, never stored (PartWriter)
    }


def test_offset_timestamps_become_utc() -> None:
    item = copy.deepcopy(load("merge_request_commits.json")[0])
    item["authored_date"] = "2019-06-28T13:03:52.000+02:00"
    item["committed_date"] = "2019-06-27T23:33:52-05:30"
    item["parent_ids"] = ["a" * 40, "b" * 40]
    row = one(commits_table([item], 1, AT))
    assert row["authored_date"] == ts(2019, 6, 28, 11, 3, 52)
    assert row["authored_date"].utcoffset() == dt.timedelta(0)
    assert row["parent_count"] == 2  # a merge commit


def test_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        parse_optional("2019-06-28T13:03:52")


def test_project_row_from_group_listing_shape() -> None:
    item = {
        "id": 42,
        "name": "App <script>",
        "path_with_namespace": "acme/app",
        "default_branch": "main",
        "archived": True,
        "web_url": "https://gitlab.example.com/acme/app",
        "forked_from_project": {"id": 7, "path_with_namespace": "acme/upstream"},
        "namespace": {"id": 3},
    }
    assert project_row(item, AT) == {
        "id": 42,
        "path_with_namespace": "acme/app",
        "default_branch": "main",
        "forked_from_project_id": 7,
        "web_url": "https://gitlab.example.com/acme/app",
        "_extracted_at": AT,
    }
    empty_repo = {"id": 43, "default_branch": None, "archived": False}
    assert project_row(empty_repo, AT)["forked_from_project_id"] is None


def test_user_row_empty_public_email_is_null() -> None:
    item = {
        "id": 5,
        "username": "Alice",
        "name": "Alice",
        "state": "active",
        "public_email": "",
        "bot": False,
        "web_url": "https://gitlab.example.com/Alice",
        "avatar_url": None,
    }
    assert user_row(item, AT) == {
        "id": 5,
        "username": "Alice",
        "public_email": None,
        "bot": False,
        "_extracted_at": AT,
    }


def test_every_payload_item_fits_its_declared_schema() -> None:
    tables = {
        "merge_requests": merge_requests_table(load("merge_requests.json"), AT),
        "issues": issues_table(load("issues.json"), AT),
        "commits": commits_table(load("merge_request_commits.json"), 1, AT),
    }
    for name, table in tables.items():
        assert table.num_rows == len(
            load(f"{name if name != 'commits' else 'merge_request_commits'}.json")
        )
        stored = table.select(schema.RAW[name].names)  # what PartWriter keeps
        assert stored.schema == schema.RAW[name]


def test_web_urls_gitlab_sends_are_the_ones_staging_derives() -> None:
    """Raw tables keep no item's web_url: queries/10_stg_*.sql builds it from the project's and
    the SHA or iid, as GitLab's routes do (config/routes/repository.rb, merge_requests.rb,
    issues.rb). Every real payload's own web_url is that one."""
    for name, route, key in (
        ("merge_requests.json", "merge_requests", "iid"),
        ("issues.json", "issues", "iid"),
        ("merge_request_commits.json", "commit", "id"),
    ):
        items = load(name)
        assert items
        assert [i["web_url"] for i in items] == [f"{PROJECT}/-/{route}/{i[key]}" for i in items]
