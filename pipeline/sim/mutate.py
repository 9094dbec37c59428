"""Mutations that make the organisation move on between runs (thread-safe, bump the version)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pipeline.sim.activity import Activity
from pipeline.sim.paging import Response

if TYPE_CHECKING:
    from pipeline.sim.org.config import SimConfig
    from pipeline.sim.org.model import Dataset
    from pipeline.sim.render import Renderer

# Operations reachable through mutate() and POST /_sim/mutate.
OPERATIONS = (
    "advance",
    "add_commits",
    "merge_old_branch",
    "force_push",
    "rename_default_branch",
    "add_project",
    "open_mr",
    "merge_mr",
    "close_mr",
    "touch_mr",
    "delete_mr",
    "open_issue",
    "close_issue",
    "touch_issue",
    "delete_issue",
    "arm_hook",
    "simulate_activity",
)


class Mutations(Activity):
    """Mixed into SimServer: each public method changes `self.dataset` under its lock."""

    dataset: Dataset
    renderer: Renderer
    config: SimConfig

    def __init__(self) -> None:
        self._hooks: list[dict[str, Any]] = []
        self.mutation_count = 0

    def mutate(self, op: str, **args: Any) -> Any:
        """Run a mutation by name with JSON-style arguments (the /_sim/mutate route)."""
        if op not in OPERATIONS:
            raise ValueError(f"unknown mutation {op!r}; operations: {', '.join(OPERATIONS)}")
        return getattr(self, op)(**args)

    def advance(self, now: dt.datetime | str | None = None, seconds: float = 0.0) -> str:
        """Move the clock to `now` (or forward by `seconds`); returns the new time."""
        with self.dataset.lock:
            if isinstance(now, str):
                now = dt.datetime.fromisoformat(now.replace("Z", "+00:00"))
            target = (now or self.dataset.now) + dt.timedelta(seconds=seconds)
            if target.tzinfo is None:
                raise ValueError("advance() needs an aware datetime")
            self.dataset.now = target.astimezone(dt.UTC)
            return self.dataset.now.isoformat()

    def force_push(
        self, project: int | str, rewrite: int = 2, commits: int = 3, keep_old: bool = True
    ) -> dict[str, Any]:
        """Replace the last `rewrite` commits of the default branch with `commits` new ones.

        The new head does not descend from the old one. With keep_old=False the old commits no
        other branch reaches are deleted, so merge_base with the old head answers 400.
        """
        with self.dataset.lock:
            ds = self.dataset
            p = self._project(project)
            old = p.branches[p.default_branch]
            base = old
            for _ in range(rewrite):
                base = ds.commits[base].parent_ids[0]
            p.branches[p.default_branch] = self._line(p.id, base, commits, "Rewritten history")
            removed = [] if keep_old else self._drop_unreachable()
            return self._changed(
                {"old": old, "new": p.branches[p.default_branch], "removed": removed}
            )

    def rename_default_branch(self, project: int | str, new_name: str) -> dict[str, str]:
        """Rename the default branch (same head); the old name no longer resolves."""
        with self.dataset.lock:
            p = self._project(project)
            old = p.default_branch
            p.branches[new_name] = p.branches.pop(old)
            p.default_branch = new_name
            for mr in self.dataset.merge_requests.values():
                if mr.project_id == p.id and mr.target_branch == old:
                    mr.target_branch = new_name
                    self.renderer.invalidate("mr", mr.id)
            self.renderer.invalidate("project", p.id)
            return self._changed({"old": old, "new": new_name})

    def arm_hook(
        self,
        route: str,
        page: int,
        op: str,
        args: dict[str, Any] | None = None,
        project: int | str | None = None,
        group: int | str | None = None,
    ) -> int:
        """After page `page` of a matching listing is served, run mutation `op(**args)` once."""
        if op not in OPERATIONS or op == "arm_hook":
            raise ValueError(f"unknown mutation {op!r}")
        hook = {
            "route": route,
            "page": int(page),
            "op": op,
            "args": dict(args or {}),
            "project": project,
            "group": group,
        }
        with self.dataset.lock:
            self._hooks.append(hook)
            return len(self._hooks)

    def after_page(self, resp: Response) -> None:
        """Fire armed hooks after a listing page was served."""
        if not self._hooks or resp.items is None:
            return
        with self.dataset.lock:
            due = [h for h in self._hooks if _hook_matches(h, resp)]
            self._hooks = [h for h in self._hooks if h not in due]
        for hook in due:
            self.mutate(hook["op"], **hook["args"])

    def pending_hooks(self) -> list[dict[str, Any]]:
        """Hooks not fired yet."""
        with self.dataset.lock:
            return [dict(h) for h in self._hooks]


def _hook_matches(hook: dict[str, Any], resp: Response) -> bool:
    if hook["route"] != resp.route or hook["page"] != resp.page:
        return False
    for key, names in (
        ("project", (resp.project, str(resp.project_id))),
        ("group", (resp.group, str(resp.group_id))),
    ):
        if hook[key] is not None and str(hook[key]) not in names:
            return False
    return True
