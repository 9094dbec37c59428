"""Mutations that review merge requests: approvals and comments, as events happening now."""

from __future__ import annotations

from pipeline.sim.model import Event
from pipeline.sim.mutate_items import ItemMutations
from pipeline.sim.reviews import record_event


class ReviewMutations(ItemMutations):
    """Each adds one project event at now and touches the MR (GitLab moves its updated_at)."""

    def approve_mr(
        self,
        mr_id: int | None = None,
        project: int | str | None = None,
        by: int | str | None = None,
    ) -> int:
        """Approve an MR now (default: the project's oldest open one, by someone else); returns
        the event id."""
        with self.dataset.lock:
            mr = self._pick_mr(mr_id, project)
            who = self._user_id(by) or self._someone_else(mr.author)
            event = Event(0, mr.project_id, "approved", who, self._when(), mr.id)
            record_event(self.dataset, event)
            self._touched_mr(mr)
            return event.id

    def comment_mr(
        self,
        mr_id: int | None = None,
        project: int | str | None = None,
        by: int | str | None = None,
        body: str = "A review comment",
        system: bool = False,
    ) -> int:
        """Comment on an MR now (`system`: a system note such as "added 1 commit"); returns the
        event id."""
        with self.dataset.lock:
            mr = self._pick_mr(mr_id, project)
            who = self._user_id(by) or self._someone_else(mr.author)
            event = Event(0, mr.project_id, "commented", who, self._when(), 0)
            event.noteable_type, event.noteable_id = "MergeRequest", mr.id
            event.body, event.system = body, bool(system)
            record_event(self.dataset, event)
            self._touched_mr(mr)
            return event.id
