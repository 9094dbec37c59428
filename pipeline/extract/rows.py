"""Pure conversion of GitLab API items into rows of the declared raw schemas (see `schema`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

Item = Mapping[str, Any]
Row = dict[str, Any]


def parse_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time from GitLab (`Z` or an offset) as an aware UTC datetime; None stays None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    parsed = dt.datetime.fromisoformat(value)  # Python 3.11 reads `Z` and offsets
    if parsed.tzinfo is dt.UTC:
        return parsed
    if parsed.tzinfo is None:
        # GitLab always sends an offset; a bare time would be ambiguous, so refuse it.
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed.astimezone(dt.UTC)


def user_ref(value: object) -> Row | None:
    """An embedded user object (`author`, `closed_by`, ...) reduced to the basic fields."""
    if not isinstance(value, Mapping):
        return None
    get = value.get
    return {
        "id": get("id"),
        "username": get("username"),
        "name": get("name"),
        "state": get("state"),
    }


def commit_to_row(item: Item, project_id: int, extracted_at: dt.datetime) -> Row:
    """One item of /projects/:id/repository/commits."""
    return {
        "project_id": project_id,
        "id": item["id"],
        "short_id": item.get("short_id"),
        "title": item.get("title"),
        "author_name": item.get("author_name"),
        "author_email": item.get("author_email"),
        "authored_date": parse_time(item.get("authored_date")),
        "committer_name": item.get("committer_name"),
        "committer_email": item.get("committer_email"),
        "committed_date": parse_time(item.get("committed_date")),
        "parent_ids": list(item.get("parent_ids") or []),
        "web_url": item.get("web_url"),
        "_extracted_at": extracted_at,
    }


def merge_request_to_row(item: Item, extracted_at: dt.datetime) -> Row:
    """One item of /groups/:id/merge_requests or /projects/:id/merge_requests."""
    # `merged_by` is deprecated in favour of `merge_user`; older or trimmed payloads may carry
    # only one of them, so fall back when the key is absent (not when it is null).
    merged_by = item["merged_by"] if "merged_by" in item else item.get("merge_user")
    return {
        "id": item["id"],
        "iid": item.get("iid"),
        "project_id": item.get("project_id"),
        "title": item.get("title"),
        "state": item.get("state"),
        "created_at": parse_time(item.get("created_at")),
        "updated_at": parse_time(item.get("updated_at")),
        "merged_at": parse_time(item.get("merged_at")),
        "closed_at": parse_time(item.get("closed_at")),
        "web_url": item.get("web_url"),
        "author": user_ref(item.get("author")),
        "merged_by": user_ref(merged_by),
        "closed_by": user_ref(item.get("closed_by")),
        "_extracted_at": extracted_at,
    }


def issue_to_row(item: Item, extracted_at: dt.datetime) -> Row:
    """One item of /groups/:id/issues or /projects/:id/issues."""
    return {
        "id": item["id"],
        "iid": item.get("iid"),
        "project_id": item.get("project_id"),
        "title": item.get("title"),
        "state": item.get("state"),
        "created_at": parse_time(item.get("created_at")),
        "updated_at": parse_time(item.get("updated_at")),
        "closed_at": parse_time(item.get("closed_at")),
        "web_url": item.get("web_url"),
        "author": user_ref(item.get("author")),
        "closed_by": user_ref(item.get("closed_by")),
        "_extracted_at": extracted_at,
    }


def project_to_row(item: Item, source: str, extracted_at: dt.datetime) -> Row:
    """One project from /groups/:id/projects or /projects/:id; `source` says how it was found."""
    forked_from = item.get("forked_from_project")
    return {
        "id": item["id"],
        "path_with_namespace": item.get("path_with_namespace"),
        "name": item.get("name"),
        "default_branch": item.get("default_branch"),
        "archived": item.get("archived"),
        "forked_from_project_id": forked_from.get("id")
        if isinstance(forked_from, Mapping)
        else None,
        "web_url": item.get("web_url"),
        "_source": source,
        "_extracted_at": extracted_at,
    }


def user_to_row(item: Item, extracted_at: dt.datetime) -> Row:
    """One record of /users/:id (which, unlike /users?username=, has public_email and bot)."""
    return {
        "id": item["id"],
        "username": item.get("username"),
        "name": item.get("name"),
        "state": item.get("state"),
        "public_email": item.get("public_email") or None,
        "bot": item.get("bot"),
        "web_url": item.get("web_url"),
        "_extracted_at": extracted_at,
    }
