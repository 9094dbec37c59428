"""GitLab-shaped JSON for dataset items, serialised once per item and cached as bytes."""

from __future__ import annotations

import datetime as dt
import json
from json.encoder import encode_basestring
from typing import Any

from pipeline.sim.org.model import Commit, Dataset, Issue, MergeRequest, Project, User
from pipeline.sim.trailers import fields


def ts_utc(value: dt.datetime | None) -> str | None:
    """`2019-06-28T05:21:43.743Z`: GitLab's form for MR/issue/project times."""
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def ts_offset(value: dt.datetime, offset_min: int) -> str:
    """`2019-06-28T11:03:52.000+02:00`: git dates keep the author's offset (UTC as `Z`)."""
    if offset_min == 0:
        return ts_utc(value) or ""
    local = value.astimezone(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=offset_min)
    sign = "+" if offset_min > 0 else "-"
    hours, minutes = divmod(abs(offset_min), 60)
    return f"{local.isoformat(timespec='milliseconds')}{sign}{hours:02d}:{minutes:02d}"


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes, non-ASCII kept as UTF-8 like GitLab."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def _tq(value: dt.datetime | None) -> str:
    """A UTC time as a JSON value."""
    return "null" if value is None else f'"{ts_utc(value)}"'


# Fields that never vary in the simulator, pre-encoded once and appended to every item.
MR_CONST: dict[str, Any] = {
    "description": "",
    "user_notes_count": 0,
    "upvotes": 0,
    "downvotes": 0,
    "assignees": [],
    "assignee": None,
    "reviewers": [],
    "labels": [],
    "draft": False,
    "work_in_progress": False,
    "milestone": None,
    "merge_when_pipeline_succeeds": False,
    "merge_status": "can_be_merged",
    "sha": None,
    "merge_commit_sha": None,
    "squash_commit_sha": None,
    "squash": False,
    "has_conflicts": False,
    "blocking_discussions_resolved": True,
}
ISSUE_CONST: dict[str, Any] = {
    "description": "",
    "labels": [],
    "milestone": None,
    "assignees": [],
    "type": "ISSUE",
    "assignee": None,
    "user_notes_count": 0,
    "merge_requests_count": 0,
    "upvotes": 0,
    "downvotes": 0,
    "due_date": None,
    "confidential": False,
    "discussion_locked": None,
    "issue_type": "issue",
}
_MR_TAIL = dumps(MR_CONST).decode()[1:-1]
_ISSUE_TAIL = dumps(ISSUE_CONST).decode()[1:-1]


class Renderer:
    """Turns dataset items into GitLab JSON bytes, cached per item until invalidated.

    Lists are built from these cached bytes, so items are rendered with string templates rather
    than json.dumps of dicts: rendering is the simulator's main cost at benchmark sizes.
    """

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self._commits: dict[tuple[str, int, bool | None], bytes] = {}
        self._mrs: dict[int, bytes] = {}
        self._issues: dict[int, bytes] = {}
        self._projects: dict[int, bytes] = {}
        self._users: dict[int, str] = {}

    def invalidate(self, kind: str, key: int) -> None:
        """Forget a cached "mr", "issue" or "project" after it changed (commits never change)."""
        store = {"mr": self._mrs, "issue": self._issues, "project": self._projects}[kind]
        store.pop(key, None)

    def warm(self) -> int:
        """Render every default-branch commit, MR and issue now; returns the item count."""
        ds = self.ds
        with ds.lock:
            for p in ds.projects.values():
                head = p.branches.get(p.default_branch)
                for sha in ds.log(head) if head else []:
                    self.commit_bytes(sha, p, trailers=True)  # as the extractor asks
            for mr in ds.merge_requests.values():
                self.merge_request_bytes(mr)
            for issue in ds.issues.values():
                self.issue_bytes(issue)
            return len(self._commits) + len(self._mrs) + len(self._issues)

    def clear(self) -> None:
        """Forget everything."""
        for store in (self._commits, self._mrs, self._issues, self._projects, self._users):
            store.clear()

    def user_basic(self, user: User) -> dict[str, Any]:
        """The fields embedded in lists and returned by /users?username=."""
        return {
            "id": user.id,
            "username": user.username,
            "name": user.name,
            "state": user.state,
            "locked": False,
            "avatar_url": f"{self.ds.base_url}/uploads/-/system/user/avatar/{user.id}/avatar.png",
            "web_url": f"{self.ds.base_url}/{user.username}",
        }

    def user_full(self, user: User) -> dict[str, Any]:
        """/users/:id: basic fields plus public_email and bot."""
        out = self.user_basic(user)
        out.update(
            created_at=ts_utc(self.ds.now.replace(year=self.ds.now.year - 3)),
            bio="",
            location="",
            public_email=user.public_email,
            linkedin="",
            twitter="",
            discord="",
            website_url="",
            organization="",
            job_title="",
            pronouns=None,
            bot=user.bot,
            work_information=None,
            followers=0,
            following=0,
            is_followed=False,
            local_time=None,
        )
        return out

    def project(self, p: Project) -> dict[str, Any]:
        """A project as /projects/:id and /groups/:id/projects return it."""
        ns = self.ds.groups[p.namespace_id]
        out: dict[str, Any] = {
            "id": p.id,
            "description": "",
            "name": p.name,
            "name_with_namespace": f"{ns.name} / {p.name}",
            "path": p.path_with_namespace.rsplit("/", 1)[-1],
            "path_with_namespace": p.path_with_namespace,
            "created_at": ts_utc(p.created_at),
            "default_branch": p.default_branch,
            "tag_list": [],
            "topics": [],
            "ssh_url_to_repo": f"git@127.0.0.1:{p.path_with_namespace}.git",
            "http_url_to_repo": f"{p.web_url}.git",
            "web_url": p.web_url,
            "readme_url": None,
            "forks_count": sum(
                1 for q in self.ds.projects.values() if q.forked_from_project_id == p.id
            ),
            "star_count": 0,
            "last_activity_at": ts_utc(self.ds.now),
            "namespace": {
                "id": ns.id,
                "name": ns.name,
                "path": ns.full_path.rsplit("/", 1)[-1],
                "kind": "group",
                "full_path": ns.full_path,
                "parent_id": ns.parent_id,
                "web_url": f"{self.ds.base_url}/groups/{ns.full_path}",
            },
            "archived": p.archived,
            "visibility": "private",
            "empty_repo": not p.branches,
            "shared_with_groups": [
                {"group_id": g, "group_full_path": self.ds.groups[g].full_path}
                for g in p.shared_with
            ],
        }
        if p.forked_from_project_id is not None:
            up = self.ds.projects[p.forked_from_project_id]
            out["forked_from_project"] = {
                "id": up.id,
                "name": up.name,
                "path_with_namespace": up.path_with_namespace,
                "web_url": up.web_url,
            }
        return out

    def project_bytes(self, p: Project) -> bytes:
        """Cached project JSON."""
        hit = self._projects.get(p.id)
        if hit is None:
            hit = self._projects[p.id] = dumps(self.project(p))
        return hit

    def commit(self, c: Commit, p: Project) -> dict[str, Any]:
        """A commit as a single object (branch head, merge base)."""
        return json.loads(self.commit_bytes(c.sha, p))  # type: ignore[no-any-return]

    def commit_bytes(self, sha: str, p: Project, trailers: bool | None = False) -> bytes:
        """A commit as the commits listing returns it (web_url under the project). `trailers`:
        True when the listing asked `trailers=true` (both hashes filled from the message, see
        `trailers.py`), False for `{}`, None for a GitLab too old to have the fields."""
        key = (sha, p.id, trailers)
        hit = self._commits.get(key)
        if hit is not None:
            return hit
        c = self.ds.commits[sha]
        q = encode_basestring
        committed = ts_offset(c.committed_date, c.committer_offset_min)
        authored = ts_offset(c.authored_date, c.author_offset_min)
        parents = ",".join(f'"{x}"' for x in c.parent_ids)
        text = (
            f'{{"id":"{sha}","short_id":"{sha[:8]}","created_at":"{committed}",'
            f'"parent_ids":[{parents}],"title":{q(c.title)},"message":{q(c.message)},'
            f'"author_name":{q(c.author_name)},"author_email":{q(c.author_email)},'
            f'"authored_date":"{authored}","committer_name":{q(c.committer_name)},'
            f'"committer_email":{q(c.committer_email)},"committed_date":"{committed}",'
            f"{_trailer_fields(c.message, trailers)}"
            f'"web_url":{q(f"{p.web_url}/-/commit/{sha}")}}}'
        )
        hit = self._commits[key] = text.encode()
        return hit

    def user_embed(self, user_id: int | None) -> str:
        """An embedded user (basic fields) as JSON text, or null."""
        if user_id is None:
            return "null"
        hit = self._users.get(user_id)
        if hit is None:
            hit = self._users[user_id] = dumps(self.user_basic(self.ds.users[user_id])).decode()
        return hit

    def merge_request(self, mr: MergeRequest) -> dict[str, Any]:
        """An MR as a dict (tests and debugging)."""
        return json.loads(self.merge_request_bytes(mr))  # type: ignore[no-any-return]

    def merge_request_bytes(self, mr: MergeRequest) -> bytes:
        """An MR as the listings return it."""
        hit = self._mrs.get(mr.id)
        if hit is not None:
            return hit
        q = encode_basestring
        full = q(f"{self.ds.projects[mr.project_id].path_with_namespace}!{mr.iid}")
        merged_by = self.user_embed(mr.merged_by)
        status = "mergeable" if mr.state == "opened" else "not_open"
        text = (
            f'{{"id":{mr.id},"iid":{mr.iid},"project_id":{mr.project_id},"title":{q(mr.title)},'
            f'"state":"{mr.state}","created_at":{_tq(mr.created_at)},'
            f'"updated_at":{_tq(mr.updated_at)},"merged_by":{merged_by},'
            f'"merge_user":{merged_by},"merged_at":{_tq(mr.merged_at)},'
            f'"closed_by":{self.user_embed(mr.closed_by)},"closed_at":{_tq(mr.closed_at)},'
            f'"target_branch":{q(mr.target_branch)},"source_branch":{q(mr.source_branch)},'
            f'"author":{self.user_embed(mr.author)},"source_project_id":{mr.project_id},'
            f'"target_project_id":{mr.project_id},"detailed_merge_status":"{status}",'
            f'"reference":"!{mr.iid}","references":{{"short":"!{mr.iid}",'
            f'"relative":"!{mr.iid}","full":{full}}},"web_url":{q(mr.web_url)},{_MR_TAIL}}}'
        )
        hit = self._mrs[mr.id] = text.encode()
        return hit

    def issue(self, it: Issue) -> dict[str, Any]:
        """An issue as a dict (tests and debugging)."""
        return json.loads(self.issue_bytes(it))  # type: ignore[no-any-return]

    def issue_bytes(self, it: Issue) -> bytes:
        """An issue as the listings return it."""
        hit = self._issues.get(it.id)
        if hit is not None:
            return hit
        q = encode_basestring
        path = self.ds.projects[it.project_id].path_with_namespace
        api = f"{self.ds.base_url}/api/v4/projects/{it.project_id}"
        links = dumps(
            {
                "self": f"{api}/issues/{it.iid}",
                "notes": f"{api}/issues/{it.iid}/notes",
                "project": api,
            }
        ).decode()
        text = (
            f'{{"id":{it.id},"iid":{it.iid},"project_id":{it.project_id},"title":{q(it.title)},'
            f'"state":"{it.state}","created_at":{_tq(it.created_at)},'
            f'"updated_at":{_tq(it.updated_at)},"closed_at":{_tq(it.closed_at)},'
            f'"closed_by":{self.user_embed(it.closed_by)},"author":{self.user_embed(it.author)},'
            f'"web_url":{q(it.web_url)},"references":{{"short":"#{it.iid}",'
            f'"relative":"#{it.iid}","full":{q(f"{path}#{it.iid}")}}},"_links":{links},'
            f"{_ISSUE_TAIL}}}"
        )
        hit = self._issues[it.id] = text.encode()
        return hit


def _trailer_fields(message: str, filled: bool | None) -> str:
    """The `trailers` and `extended_trailers` members, with their trailing comma."""
    if filled is None:
        return ""
    single, extended = fields(message) if filled else ({}, {})
    return f'"trailers":{dumps(single).decode()},"extended_trailers":{dumps(extended).decode()},'
