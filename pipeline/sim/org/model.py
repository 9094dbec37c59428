"""The simulated organisation as plain dataclasses, plus git-graph helpers (log, merge_base)."""

from __future__ import annotations

import datetime as dt
import heapq
import threading
from dataclasses import dataclass, field


@dataclass
class Group:
    """A GitLab group; `parent_id` is None for a top-level group."""

    id: int
    full_path: str
    name: str
    parent_id: int | None = None


@dataclass
class User:
    """A GitLab account; `commit_emails` are the addresses this person authors commits with."""

    id: int
    username: str
    name: str
    state: str = "active"
    public_email: str | None = None
    bot: bool = False
    commit_emails: list[str] = field(default_factory=list)


@dataclass
class Project:
    """A project; `branches` maps a branch name to its head SHA."""

    id: int
    path_with_namespace: str
    name: str
    namespace_id: int
    default_branch: str
    archived: bool = False
    forked_from_project_id: int | None = None
    shared_with: list[int] = field(default_factory=list)
    branches: dict[str, str] = field(default_factory=dict)
    web_url: str = ""
    created_at: dt.datetime = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    #: False: the project has no repository at all (GitLab answers 404 "Repository Not Found");
    #: a repository with no branches is an empty one
    repository: bool = True


@dataclass
class Commit:
    """A git commit; dates are UTC, `*_offset_min` the UTC offsets shown in the API."""

    sha: str
    author_name: str
    author_email: str
    authored_date: dt.datetime
    committer_name: str
    committer_email: str
    committed_date: dt.datetime
    parent_ids: list[str]
    title: str
    message: str
    author_offset_min: int = 0
    committer_offset_min: int = 0
    #: the people its `Co-authored-by` trailers name as git reads them, (name, email): what the
    #: generator meant to write, for tests to check a parse against
    coauthors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class MergeRequest:
    """A merge request; user fields are user ids (None when unset)."""

    id: int
    iid: int
    project_id: int
    title: str
    state: str
    created_at: dt.datetime
    updated_at: dt.datetime
    author: int
    merged_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    merged_by: int | None = None
    closed_by: int | None = None
    source_branch: str = "feature"
    target_branch: str = "main"
    web_url: str = ""


@dataclass
class Issue:
    """An issue; user fields are user ids (None when unset)."""

    id: int
    iid: int
    project_id: int
    title: str
    state: str
    created_at: dt.datetime
    updated_at: dt.datetime
    author: int
    closed_at: dt.datetime | None = None
    closed_by: int | None = None
    web_url: str = ""


@dataclass
class Event:
    """A project event of the Events API: an MR approval, or a comment (a note) on an MR/issue.

    `author` is a user id; a comment's `note_id` is its target id, `noteable_*` what it is on.
    """

    id: int
    project_id: int
    action: str  # "approved" | "commented"
    author: int
    created_at: dt.datetime
    target_id: int  # the MR id (approved) or the note id (commented)
    noteable_type: str | None = None  # "MergeRequest" | "Issue" for comments
    noteable_id: int | None = None
    system: bool = False
    body: str = ""


@dataclass
class Dataset:
    """The whole organisation. `version` bumps on every mutation (invalidates listing caches)."""

    base_url: str
    now: dt.datetime
    noreply_domain: str
    groups: dict[int, Group] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    merge_requests: dict[int, MergeRequest] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    events: dict[int, Event] = field(default_factory=dict)
    version: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    _log_cache: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    def group_by_path(self, full_path: str) -> Group | None:
        """The group with this full path (case-insensitive), if any."""
        low = full_path.lower()
        return next((g for g in self.groups.values() if g.full_path.lower() == low), None)

    def project_by_path(self, path: str) -> Project | None:
        """The project with this path_with_namespace (case-insensitive), if any."""
        low = path.lower()
        return next(
            (p for p in self.projects.values() if p.path_with_namespace.lower() == low), None
        )

    def subgroup_ids(self, group_id: int) -> set[int]:
        """The group and all its descendants."""
        out = {group_id}
        changed = True
        while changed:
            more = {g.id for g in self.groups.values() if g.parent_id in out} - out
            changed = bool(more)
            out |= more
        return out

    def resolve_ref(self, project_id: int, ref: str) -> str | None:
        """A branch name of the project, or a full/short SHA of a known commit, to a SHA."""
        project = self.projects[project_id]
        if ref in project.branches:
            return project.branches[ref]
        if ref in self.commits:
            return ref
        if 7 <= len(ref) < 40:
            hits = [s for s in self.commits if s.startswith(ref)]
            if len(hits) == 1:
                return hits[0]
        return None

    def log(self, tip: str) -> list[str]:
        """SHAs reachable from `tip` in git's default order (newest committed first, tip first)."""
        cached = self._log_cache.get(tip)
        if cached is not None:
            return cached
        out: list[str] = []
        seen = {tip}
        heap = [(-self.commits[tip].committed_date.timestamp(), tip)]
        while heap:
            _, sha = heapq.heappop(heap)
            out.append(sha)
            for parent in self.commits[sha].parent_ids:
                if parent not in seen and parent in self.commits:
                    seen.add(parent)
                    ts = self.commits[parent].committed_date.timestamp()
                    heapq.heappush(heap, (-ts, parent))
        self._log_cache[tip] = out
        return out

    def reachable(self, project_id: int, ref: str) -> list[str]:
        """SHAs reachable from a branch or SHA of the project, in git log order."""
        with self.lock:
            sha = self.resolve_ref(project_id, ref)
            if sha is None:
                raise KeyError(ref)
            return list(self.log(sha))

    def merge_base(self, a: str, b: str) -> str | None:
        """The best common ancestor of two SHAs (the newest common one), or None."""
        in_a = set(self.log(a))
        return next((sha for sha in self.log(b) if sha in in_a), None)

    def forget_log_cache(self) -> None:
        """Drop memoised logs (after history is rewritten or commits are removed)."""
        self._log_cache.clear()
