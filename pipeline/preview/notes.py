"""Posts the teams.csv preview as one merge request note, updated in place on later pipelines."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from pipeline.config import Settings
from pipeline.errors import ConfigError, RequestError
from pipeline.extract.gitlab.client import GitLabClient
from pipeline.preview.report import MARKER

log = logging.getLogger("leaderboard.preview")

WHAT = "MR preview note"


def post_preview_note(settings: Settings, report: str) -> int:
    """Create the note, or update the one an earlier pipeline left (found by MARKER); its id."""
    if not settings.gitlab_url:
        raise ConfigError("GITLAB_URL (or CI_SERVER_URL) is needed to post the preview note")
    assert settings.note_token and settings.project_id and settings.merge_request_iid
    project = quote(settings.project_id, safe="")
    path = f"/projects/{project}/merge_requests/{int(settings.merge_request_iid)}/notes"
    with GitLabClient(
        settings, base_url=settings.gitlab_url.rstrip("/"), token=settings.note_token, workers=1
    ) as client:
        try:
            return _post_or_update(client, path, report)
        except RequestError as exc:
            if exc.reason not in ("HTTP 401", "HTTP 403"):
                raise
            hint = "check LEADERBOARD_NOTE_TOKEN: it needs the api scope and access to this MR"
            raise RequestError(
                exc.method, exc.path, exc.page, exc.what, exc.reason, exc.attempts, hint
            ) from None


def _post_or_update(client: GitLabClient, path: str, report: str) -> int:
    note_id = find_note(client, path)
    if note_id is None:
        created = client.send("post", path, {"body": report}, what=WHAT)
        note_id = int(created["id"])
        log.info("posted the preview as note %d on the merge request", note_id)
    else:
        client.send("put", f"{path}/{note_id}", {"body": report}, what=WHAT)
        log.info("updated the preview note %d on the merge request", note_id)
    return note_id


def find_note(client: GitLabClient, path: str) -> int | None:
    """The id of the earliest note that carries MARKER, following every page of the list."""
    url: str | None = path
    params: dict[str, Any] | None = {"per_page": 100, "sort": "asc", "order_by": "created_at"}
    page = 1
    while url is not None:
        listing = client.get_page(url, params, what="MR notes", page=page)
        for note in listing.items:
            if MARKER in str(note.get("body", "")):
                return int(note["id"])
        url, params, page = listing.next_url, None, page + 1
    return None
