"""Shared helpers for mutations: resolving projects and users, event times, minting commits."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeVar

from pipeline.sim.org.history import Author, CommitFactory

T = TypeVar("T")

if TYPE_CHECKING:
    from pipeline.sim.org.config import SimConfig
    from pipeline.sim.org.model import Dataset, Project
    from pipeline.sim.render import Renderer


class MutationBase:
    """Helpers every mutation uses; callers hold `dataset.lock`."""

    dataset: Dataset
    renderer: Renderer
    config: SimConfig
    mutation_count: int
    _factory: CommitFactory | None = None

    def _project(self, key: int | str) -> Project:
        ds = self.dataset
        found = ds.projects.get(int(key)) if str(key).isdigit() else ds.project_by_path(str(key))
        if found is None:
            raise KeyError(f"no project {key!r}")
        return found

    def _user_id(self, key: int | str | None) -> int | None:
        if key is None:
            return None
        if str(key).isdigit():
            return self.dataset.users[int(key)].id
        low = str(key).lower()
        found = next((u for u in self.dataset.users.values() if u.username.lower() == low), None)
        if found is None:
            raise KeyError(f"no user {key!r}")
        return found.id

    def _when(self) -> dt.datetime:
        """The time of a new event: the simulator's `now` (the live clock when none was set)."""
        ds = self.dataset
        if self.config.now is None:
            ds.now = max(ds.now, dt.datetime.now(dt.UTC).replace(microsecond=0))
        return ds.now

    def _changed(self, result: T) -> T:
        """Invalidate listing caches after a mutation and pass its result through."""
        self.dataset.version += 1
        self.mutation_count += 1
        return result

    def _author(self, who: int | str | None, pid: int) -> Author:
        """A commit identity: a user (id or username), an email, or the head commit's author."""
        ds = self.dataset
        if who is not None and "@" in str(who):
            return Author(str(who).split("@")[0], str(who))
        uid = self._user_id(who)
        if uid is None:
            head = ds.commits[ds.projects[pid].branches[ds.projects[pid].default_branch]]
            return Author(head.author_name, head.author_email, head.author_offset_min)
        user = ds.users[uid]
        email = (
            user.commit_emails[0]
            if user.commit_emails
            else (f"{user.username}@{ds.noreply_domain}")
        )
        return Author(user.name, email)

    def _mint(
        self,
        author: Author,
        when: dt.datetime,
        parents: list[str],
        title: str,
        committer: Author | None = None,
        committed: dt.datetime | None = None,
    ) -> str:
        if self._factory is None:
            self._factory = CommitFactory(self.dataset, f"mutation-{self.config.seed}")
        return self._factory.make(author, when, parents, title, committer, committed)

    def _line(
        self, pid: int, parent: str | None, n: int, title: str, who: int | str | None = None
    ) -> str:
        """`n` commits on top of `parent`, ending at the event time; returns the new tip."""
        now = self._when()
        author = self._author(who, pid)
        after = (
            self.dataset.commits[parent].committed_date if parent else now - dt.timedelta(days=1)
        )
        tip = parent
        for i in range(n):
            when = max(now - dt.timedelta(seconds=n - 1 - i), after + dt.timedelta(seconds=i + 1))
            tip = self._mint(author, when, [tip] if tip else [], f"{title} ({i + 1}/{n})")
        assert tip is not None
        return tip

    def _drop_unreachable(self) -> list[str]:
        """Delete commits no branch of any project reaches any more; return their SHAs."""
        ds = self.dataset
        ds.forget_log_cache()
        keep: set[str] = set()
        for p in ds.projects.values():
            for head in p.branches.values():
                keep.update(ds.log(head))
        gone = sorted(set(ds.commits) - keep)
        for sha in gone:
            del ds.commits[sha]
        ds.forget_log_cache()
        return gone
