"""Mutations of history and projects: new commits, old-dated merges, new projects, a busy day."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from pipeline.sim.mutate_items import ItemMutations
from pipeline.sim.org.model import Project


class Activity(ItemMutations):
    """Commit and project mutations, plus simulate_activity for benchmarks."""

    def add_commits(
        self,
        project: int | str,
        n: int = 3,
        author: int | str | None = None,
        branch: str | None = None,
    ) -> list[str]:
        """`n` new commits on the default branch (or `branch`), ending now; returns their SHAs."""
        with self.dataset.lock:
            p = self._project(project)
            name = branch or p.default_branch
            old = p.branches.get(name)
            p.branches[name] = self._line(p.id, old, int(n), "Add work", author)
            new = self.dataset.log(p.branches[name])
            return self._changed(new[: new.index(old)] if old else new)

    def merge_old_branch(
        self,
        project: int | str,
        n: int = 3,
        days_ago: float = 21,
        author: int | str | None = None,
        merger: int | str | None = None,
    ) -> dict[str, Any]:
        """Merge a branch whose `n` commits were authored and committed `days_ago` days ago.

        The branch starts from the default branch as it was then; the merge commit is dated now,
        so only an `OLD..NEW` range (not a `since` filter) finds the old-dated commits.
        """
        with self.dataset.lock:
            ds, now = self.dataset, self._when()
            p = self._project(project)
            head = p.branches[p.default_branch]
            then = now - dt.timedelta(days=float(days_ago))
            base = next((s for s in ds.log(head) if ds.commits[s].committed_date <= then), None)
            who = self._author(author, p.id)
            tip, made = base, []
            for i in range(int(n)):
                when = then + dt.timedelta(hours=i + 1)
                tip = self._mint(who, when, [tip] if tip else [], f"Old work ({i + 1}/{n})")
                made.append(tip)
            assert tip is not None
            title = f"Merge branch 'old-feature-{len(ds.commits)}' into '{p.default_branch}'"
            merge = self._mint(self._author(merger or author, p.id), now, [head, tip], title)
            p.branches[p.default_branch] = merge
            return self._changed({"merge": merge, "commits": made[::-1]})

    def add_project(
        self,
        path: str,
        name: str | None = None,
        commits: int = 20,
        mrs: int = 3,
        issues: int = 3,
        default_branch: str = "main",
        author: int | str | None = None,
    ) -> int:
        """A new project in an existing group, with history from the last 90 days."""
        with self.dataset.lock:
            ds, now = self.dataset, self._when()
            group = ds.group_by_path(path.rsplit("/", 1)[0])
            if group is None or ds.project_by_path(path) is not None:
                raise ValueError(f"cannot add project {path!r}: no such group, or it exists")
            pid = 1 + max(ds.projects)
            ds.projects[pid] = p = Project(
                pid,
                path,
                name or path.rsplit("/", 1)[-1],
                group.id,
                default_branch,
                web_url=f"{ds.base_url}/{path}",
                created_at=now - dt.timedelta(days=90),
            )
            who = self._author(author if author is not None else self._default_author(), pid)
            tip = None
            for i in range(int(commits)):
                when = now - dt.timedelta(days=90) * (1 - (i + 1) / (int(commits) + 1))
                tip = self._mint(who, when, [tip] if tip else [], f"Initial work ({i + 1})")
            if tip is not None:
                p.branches[default_branch] = tip
            for _ in range(int(mrs)):
                self.open_mr(pid, author)
            for _ in range(int(issues)):
                self.open_issue(pid, author)
            return self._changed(pid)

    def simulate_activity(
        self, days: float = 1.0, seed: int = 0, share: float = 0.1
    ) -> dict[str, Any]:
        """Advance the clock by `days` and add a day's worth of work to `share` of the projects.

        Per touched project: 1-5 commits; one new MR and one new issue; the oldest open MR is
        merged and the oldest open issue closed when there is one.
        """
        with self.dataset.lock:
            ds = self.dataset
            if self.config.now is not None:
                ds.now += dt.timedelta(days=float(days))
            rng = random.Random(seed)
            live = sorted(p.id for p in ds.projects.values() if p.branches and not p.archived)
            chosen = rng.sample(live, max(1, round(len(live) * float(share))))
            counts = {"projects": len(chosen), "commits": 0, "merged": 0, "closed": 0}
            for pid in chosen:
                n = rng.randint(1, 5)
                counts["commits"] += len(self.add_commits(pid, n))
                self.open_mr(pid)
                self.open_issue(pid)
                if any(
                    m.project_id == pid and m.state == "opened" for m in ds.merge_requests.values()
                ):
                    self.merge_mr(project=pid)
                    counts["merged"] += 1
                if any(i.project_id == pid and i.state == "opened" for i in ds.issues.values()):
                    self.close_issue(project=pid)
                    counts["closed"] += 1
            return self._changed(counts)
