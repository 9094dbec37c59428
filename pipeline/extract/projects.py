"""Projects: the scope's groups and named projects, each group's projects (discovery), and once
every project is known the listings of each (commits, review events, and MRs and issues of a
project named on its own: a group's come from the group's own listings).

Discovery lists `order_by=id`, so one longer than GitLab's maximum offset goes on as keyset
pages (`slices.PROJECTS`); `with_shared=false` leaves out projects merely shared into the group.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from pipeline.extract import commits
from pipeline.extract.columns import Item
from pipeline.extract.events import event_listings
from pipeline.extract.extraction import Extraction, Listed, ProjectInfo
from pipeline.extract.mrs_and_issues import item_listing
from pipeline.extract.scheduler import Call, Source
from pipeline.extract.slices import PROJECTS

log = logging.getLogger("leaderboard.extract")


class Planner:
    """Starts with look-ups of the scope; once every project is known, plans their listings.

    Group MR and issue listings start as soon as their group is resolved; commits wait for the
    whole project list, which sharding splits by project id.
    """

    def __init__(self, ex: Extraction) -> None:
        self.ex = ex
        self._waiting = 0
        self._discovered: dict[int, Mapping[str, Any]] = {}
        self._named: dict[int, Mapping[str, Any]] = {}
        #: every project known and its listings started (the users' look-ups wait for it)
        self.planned = False

    def start(self) -> list[Source]:
        settings = self.ex.settings
        sources: list[Source] = []
        for ref in settings.groups:
            sources.append(self._lookup("groups", ref, self._on_group))
        for ref in settings.projects:
            sources.append(self._lookup("projects", ref, self._on_named))
        self._waiting = len(sources)
        return sources

    def _lookup(
        self, kind: str, ref: str, then: Callable[[str, Mapping[str, Any]], Iterable[Source]]
    ) -> Call:
        client = self.ex.client
        noun = kind.rstrip("s")

        # `GET /groups/:id` embeds every project of the group unless told not to
        # (`with_projects`, default true, in lib/api/groups.rb); discovery lists them anyway.
        params = {"with_projects": "false"} if kind == "groups" else None

        def fetch() -> Any:
            return client.get(f"/{kind}/{_encode(ref)}", params, what=f"{noun} {ref}")

        return Call(fetch, lambda body: then(ref, body))

    def _on_group(self, ref: str, body: Mapping[str, Any]) -> Iterable[Source]:
        ex = self.ex
        group_id, path = int(body["id"]), str(body.get("full_path") or ref)
        if group_id in ex.groups:
            return self._arrived()  # the same group named twice
        ex.groups[group_id] = path

        def collect(item: Item) -> None:
            self._discovered.setdefault(int(item["id"]), item)

        discovery = ex.start(
            Listed(
                table="",  # no rows of its own: the projects are written once all are known
                key=f"g{group_id}",
                path=f"/groups/{group_id}/projects",
                params={
                    "include_subgroups": "true",
                    "with_shared": "false",
                    "order_by": "id",
                    "sort": "asc",
                },
                what=f"projects of group {path}",
                owner=("group", path),
                collect=collect,
                slicer=PROJECTS,
                record_as="projects",
                ahead=False,
                on_done=lambda _listing: self._arrived(),
            )
        )
        started: list[Source] = [discovery]
        if ex.settings.node_index == 1:
            owner = ("group", path)
            for table in ("merge_requests", "issues"):
                started.append(
                    item_listing(ex, table, f"g{group_id}", f"/groups/{group_id}", owner)
                )
        return started

    def _on_named(self, ref: str, body: Mapping[str, Any]) -> Iterable[Source]:
        self._named.setdefault(int(body["id"]), body)
        return self._arrived()

    def _arrived(self) -> Iterable[Source]:
        """One scope look-up or discovery listing finished; plan when all have."""
        self._waiting -= 1
        if self._waiting > 0:
            return ()
        return self._plan()

    def _plan(self) -> list[Source]:
        ex = self.ex
        self.planned = True
        found = dict(self._discovered)
        for pid, named in self._named.items():
            found.setdefault(pid, named)
        sources: list[Source] = []
        for pid in sorted(found):
            item = found[pid]
            if not ex.mine(pid):
                continue
            info = ProjectInfo(
                id=pid,
                path=str(item.get("path_with_namespace") or pid),
                default_branch=item.get("default_branch") or None,
                row=project_row(item, ex.extracted_at),
                in_group=pid in self._discovered,
            )
            ex.projects[pid] = info
            sources.extend(commits.commit_sources(ex, info))
            sources.extend(event_listings(ex, info))
            if not info.in_group:
                owner = ("project", info.path)
                for table in ("merge_requests", "issues"):
                    sources.append(item_listing(ex, table, f"p{pid}", f"/projects/{pid}", owner))
        log.info(
            "discovered %d projects (%d for this job); %d more listings planned (%d in all)",
            len(found),
            len(ex.projects),
            len(sources),
            len(ex.records),  # every listing so far, discovery and group listings included
        )
        return sources


def _encode(ref: str) -> str:
    """A numeric id as is, a full path URL-encoded (`acme/app` -> `acme%2Fapp`)."""
    return ref if ref.isdigit() else quote(ref, safe="")


def project_row(item: Item, extracted_at: dt.datetime) -> dict[str, Any]:
    """A project from /groups/:id/projects or /projects/:id as a row of `schema.PROJECTS`."""
    forked_from = item.get("forked_from_project")
    return {
        "id": item["id"],
        "path_with_namespace": item.get("path_with_namespace"),
        "default_branch": item.get("default_branch"),
        "forked_from_project_id": forked_from.get("id")
        if isinstance(forked_from, Mapping)
        else None,
        "web_url": item.get("web_url"),
        "_extracted_at": extracted_at,
    }
