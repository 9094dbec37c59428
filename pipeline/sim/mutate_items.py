"""Mutations of merge requests and issues: open, merge, close, touch, delete."""

from __future__ import annotations

from typing import Any

from pipeline.sim.mutate_base import MutationBase
from pipeline.sim.org.model import Issue, MergeRequest


class ItemMutations(MutationBase):
    """MR and issue mutations; each moves `updated_at` to the event time."""

    def _pick_mr(self, mr_id: int | None, project: int | str | None) -> MergeRequest:
        if mr_id is not None:
            return self.dataset.merge_requests[int(mr_id)]
        pid = self._project(project if project is not None else min(self.dataset.projects)).id
        return min(
            (
                m
                for m in self.dataset.merge_requests.values()
                if m.project_id == pid and m.state == "opened"
            ),
            key=lambda m: m.id,
        )

    def _pick_issue(self, issue_id: int | None, project: int | str | None) -> Issue:
        if issue_id is not None:
            return self.dataset.issues[int(issue_id)]
        pid = self._project(project if project is not None else min(self.dataset.projects)).id
        return min(
            (
                i
                for i in self.dataset.issues.values()
                if i.project_id == pid and i.state == "opened"
            ),
            key=lambda i: i.id,
        )

    def _someone_else(self, user_id: int) -> int:
        return min(u.id for u in self.dataset.users.values() if u.id != user_id and not u.bot)

    def _default_author(self) -> int:
        return min(u.id for u in self.dataset.users.values() if not u.bot)

    def open_mr(
        self, project: int | str, author: int | str | None = None, title: str = "New merge request"
    ) -> int:
        """A new opened MR created now; returns its id."""
        with self.dataset.lock:
            ds, now = self.dataset, self._when()
            p = self._project(project)
            iid = 1 + max(
                (m.iid for m in ds.merge_requests.values() if m.project_id == p.id), default=0
            )
            mr = MergeRequest(
                id=1 + max(ds.merge_requests, default=5000),
                iid=iid,
                project_id=p.id,
                title=title,
                state="opened",
                created_at=now,
                updated_at=now,
                author=self._user_id(author) or self._default_author(),
                target_branch=p.default_branch,
                source_branch=f"mr-{iid}",
                web_url=f"{p.web_url}/-/merge_requests/{iid}",
            )
            ds.merge_requests[mr.id] = mr
            return self._changed(mr.id)

    def merge_mr(
        self,
        mr_id: int | None = None,
        project: int | str | None = None,
        by: int | str | None = None,
    ) -> int:
        """Merge an opened MR now (by default the oldest open one of the project)."""
        with self.dataset.lock:
            mr = self._pick_mr(mr_id, project)
            mr.state, mr.merged_at = "merged", self._when()
            mr.merged_by = self._user_id(by) or self._someone_else(mr.author)
            return self._touched_mr(mr)

    def close_mr(
        self,
        mr_id: int | None = None,
        project: int | str | None = None,
        by: int | str | None = None,
    ) -> int:
        """Close an opened MR now."""
        with self.dataset.lock:
            mr = self._pick_mr(mr_id, project)
            mr.state, mr.closed_at = "closed", self._when()
            mr.closed_by = self._user_id(by) or mr.author
            return self._touched_mr(mr)

    def touch_mr(self, mr_id: int) -> int:
        """Move an MR's updated_at to now (a comment, a label)."""
        with self.dataset.lock:
            return self._touched_mr(self.dataset.merge_requests[int(mr_id)])

    def _touched_mr(self, mr: MergeRequest) -> int:
        mr.updated_at = self._when()
        self.renderer.invalidate("mr", mr.id)
        return self._changed(mr.id)

    def delete_mr(self, mr_id: int) -> int:
        """Delete an MR upstream."""
        with self.dataset.lock:
            del self.dataset.merge_requests[int(mr_id)]
            self.renderer.invalidate("mr", int(mr_id))
            return self._changed(int(mr_id))

    def open_issue(
        self, project: int | str, author: int | str | None = None, title: str = "New issue"
    ) -> int:
        """A new opened issue created now; returns its id."""
        with self.dataset.lock:
            ds, now = self.dataset, self._when()
            p = self._project(project)
            iid = 1 + max((i.iid for i in ds.issues.values() if i.project_id == p.id), default=0)
            issue = Issue(
                id=1 + max(ds.issues, default=9000),
                iid=iid,
                project_id=p.id,
                title=title,
                state="opened",
                created_at=now,
                updated_at=now,
                author=self._user_id(author) or self._default_author(),
                web_url=f"{p.web_url}/-/issues/{iid}",
            )
            ds.issues[issue.id] = issue
            return self._changed(issue.id)

    def close_issue(
        self,
        issue_id: int | None = None,
        project: int | str | None = None,
        by: int | str | None = None,
    ) -> int:
        """Close an opened issue now (by default by someone other than its author)."""
        with self.dataset.lock:
            issue = self._pick_issue(issue_id, project)
            issue.state, issue.closed_at = "closed", self._when()
            issue.closed_by = self._user_id(by) or self._someone_else(issue.author)
            return self._touched_issue(issue)

    def touch_issue(self, issue_id: int) -> int:
        """Move an issue's updated_at to now."""
        with self.dataset.lock:
            return self._touched_issue(self.dataset.issues[int(issue_id)])

    def _touched_issue(self, issue: Issue) -> int:
        issue.updated_at = self._when()
        self.renderer.invalidate("issue", issue.id)
        return self._changed(issue.id)

    def delete_issue(self, issue_id: int) -> int:
        """Delete an issue upstream."""
        with self.dataset.lock:
            del self.dataset.issues[int(issue_id)]
            self.renderer.invalidate("issue", int(issue_id))
            return self._changed(int(issue_id))

    def _item_summary(self) -> dict[str, Any]:
        ds = self.dataset
        return {"merge_requests": len(ds.merge_requests), "issues": len(ds.issues)}
