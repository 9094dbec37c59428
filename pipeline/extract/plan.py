"""Scope and discovery: resolve groups and named projects, list group projects, plan the rest.

Review credit's listings (the end of this module): each project's approval and comment events
(`/projects/:id/events`). They go through the same `Extraction.listing` machinery as every other
per-project listing (paging, fetch-ahead, retries, completeness checks, the manifest record,
error lines). `after` takes a date, exclusive, read in the instance's time zone, which a
`read_api` token cannot learn: the listing asks `after` a day that keeps everything it needs in
every zone (`slices.day_after`). A full run lists oldest first. An incremental run lists newest
first down to the same kind of bound, but stops at the first page holding an event older than
its watermark less OVERLAP (`older_than`): the rest was read by the last run, so a quiet listing
costs one page; the events read again are deduplicated by event id in staging SQL. A range the
Events API's count cap ends short goes on as the next range (`slices`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.extract import heads, rows
from pipeline.extract.listing import Listing
from pipeline.extract.rows import event_to_row, parse_time
from pipeline.extract.run import OVERLAP, Extraction, ProjectInfo
from pipeline.extract.scheduler import Call, Source
from pipeline.extract.slices import EVENTS, EVENTS_DESC, PROJECTS, day_after

log = logging.getLogger("leaderboard.extract")


class Planner:
    """Starts with look-ups of the scope; once every project is known, plans their listings.

    Group MR and issue listings start as soon as their group is resolved; commits wait for the
    whole project list, which sharding splits by project id.
    """

    def __init__(self, ex: Extraction) -> None:
        self.ex = ex
        self._waiting = 0
        self._discovered: dict[int, tuple[Mapping[str, Any], str]] = {}
        self._named: dict[int, tuple[Mapping[str, Any], str]] = {}
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
        source = f"group:{path}"

        def collect(item: Mapping[str, Any]) -> dict[str, Any]:
            self._discovered.setdefault(int(item["id"]), (item, source))
            return {}

        discovery = ex.listing(
            table="projects",
            key=f"g{group_id}",
            path=f"/groups/{group_id}/projects",
            # by id, so a discovery longer than the maximum offset goes on as keyset pages
            params={
                "include_subgroups": "true",
                "with_shared": "false",
                "order_by": "id",
                "sort": "asc",
            },
            what=f"projects of group {path}",
            owner=("group", path),
            convert=collect,
            ahead=False,
            write=False,
            on_done=lambda _listing: self._arrived(),
            slicer=PROJECTS,
        )
        started: list[Source] = [discovery]
        if ex.settings.node_index == 1:
            owner = ("group", path)
            for kind in ("merge_requests", "issues"):
                started.append(ex.item_listings(kind, f"g{group_id}", f"/groups/{group_id}", owner))
        return started

    def _on_named(self, ref: str, body: Mapping[str, Any]) -> Iterable[Source]:
        self._named.setdefault(int(body["id"]), (body, f"project:{ref}"))
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
            item, source = found[pid]
            if not ex.mine(pid):
                continue
            info = ProjectInfo(
                id=pid,
                path=str(item.get("path_with_namespace") or pid),
                default_branch=item.get("default_branch") or None,
                row=rows.project_to_row(item, source, ex.extracted_at),
                in_group=pid in self._discovered,
            )
            ex.projects[pid] = info
            sources.extend(heads.commit_sources(ex, info))
            sources.extend(event_listings(ex, info))
            if not info.in_group:
                owner = ("project", info.path)
                for kind in ("merge_requests", "issues"):
                    sources.append(ex.item_listings(kind, f"p{pid}", f"/projects/{pid}", owner))
        log.info(
            "discovered %d projects (%d for this job); %d listings planned",
            len(found),
            len(ex.projects),
            len(sources),
        )
        return sources


def _encode(ref: str) -> str:
    """A numeric id as is, a full path URL-encoded (`acme/app` -> `acme%2Fapp`)."""
    return ref if ref.isdigit() else quote(ref, safe="")


# --- review credit: the event listings ---

TABLE = "events"
#: (key suffix, label in the error line, query): approvals of MRs, and every comment (which
#: ones are on MRs, and by a person rather than the system, the SQL decides from `note`).
LISTINGS = (
    ("approved", "approval events", {"action": "approved", "target_type": "merge_request"}),
    ("commented", "comment events", {"action": "commented"}),
)


def event_listings(ex: Extraction, info: ProjectInfo) -> list[Listing]:
    """The project's two event listings (one request each when nothing happened)."""
    return [event_listing(ex, info, suffix, label, query) for suffix, label, query in LISTINGS]


def event_listing(
    ex: Extraction, info: ProjectInfo, suffix: str, label: str, query: Mapping[str, str]
) -> Listing:
    key = f"p{info.id}/{suffix}"
    watermark_key = f"{TABLE}/{key}"
    previous = ex.previous.watermarks.get(watermark_key) if ex.previous else None
    stop_at = None if ex.full or previous is None else previous - OVERLAP
    started = dt.datetime.now(dt.UTC)
    newest: list[dt.datetime] = []

    def convert(item: Mapping[str, Any]) -> dict[str, Any]:
        return event_to_row(item, info.id, ex.extracted_at)  # on the worker threads: pure

    def observe(new: pa.Table) -> None:
        value = pc.max(new.column("created_at")).as_py()
        if value is not None and (not newest or value > newest[0]):
            newest[:] = [value.astimezone(dt.UTC)]

    def done(listing: Listing) -> Iterable[Source]:
        begun = min(started, listing.server_time or started)
        ex.watermarks[watermark_key] = min(newest[0], begun) if newest else begun
        return ()

    # incremental: newest first, down to the last watermark less the overlap (see the module)
    if stop_at is None:
        ex.replaced.add((TABLE, key))  # listed in full: its folder is replaced
    sort = "asc" if stop_at is None else "desc"
    first = ex.since if stop_at is None else max(ex.since, stop_at)
    params = {**query, "sort": sort, "after": day_after(first).isoformat()}
    return ex.listing(
        table=TABLE,
        key=key,
        path=f"/projects/{info.id}/events",
        params=params,
        what=f"{label} of project {info.path}",
        owner=("project", info.path),
        convert=convert,
        order=("created_at", stop_at is not None),
        floor=stop_at,
        keep_empty=(TABLE, key) in ex.replaced,
        on_done=done,
        observe=observe,
        record_as=f"{TABLE}:{suffix}",
        slicer=EVENTS if stop_at is None else EVENTS_DESC,
        stop_after=None if stop_at is None else older_than(stop_at),
    )


def older_than(bound: dt.datetime) -> Callable[[Sequence[Mapping[str, Any]]], bool]:
    """The stop rule of a newest-first event listing: a page holding an event created before
    `bound` is its last. GitLab orders events by id, given as they are created, so every later
    page holds older events still, which the last run read: an event it missed (committed
    after it listed) was created after its watermark less the overlap, so it sorts above any
    event older than that. An unreadable `created_at` never stops the listing."""

    def stop(items: Sequence[Mapping[str, Any]]) -> bool:
        for item in items:
            try:
                when = parse_time(item.get("created_at"))
            except ValueError:
                continue
            if when is not None and when < bound:
                return True
        return False

    return stop
