"""The state one extraction run shares between its planners: mode, paths, records, new state."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline import schema
from pipeline.config import Settings
from pipeline.extract import columns, rows
from pipeline.extract.gitlab.client import GitLabClient
from pipeline.extract.listing import Listing, ListingSpec
from pipeline.extract.scheduler import Source
from pipeline.extract.slices import OffsetLimit, Slicer
from pipeline.extract.store.manifest import ListingRecord
from pipeline.extract.store.state import Head, State
from pipeline.extract.store.writer import PartWriter

log = logging.getLogger("leaderboard.extract")

PER_PAGE = 100
#: MRs and issues are re-read from this long before the last watermark, and review events down to
#: it: clock skew between GitLab's nodes and items committed just as the last listing passed them.
OVERLAP = dt.timedelta(minutes=10)


@dataclass
class ProjectInfo:
    """An in-scope project as discovered in this run."""

    id: int
    path: str
    default_branch: str | None
    row: dict[str, Any]
    #: True when a group listing already covers its MRs and issues
    in_group: bool


@dataclass
class Extraction:
    """Everything the planners of one run share; touched only on the scheduler's thread."""

    settings: Settings
    client: GitLabClient
    mode: str  # "full" | "incremental"
    previous: State | None  # the last state, for incremental runs
    staging_raw: Path
    run_tag: str
    extracted_at: dt.datetime
    records: list[ListingRecord] = field(default_factory=list)
    watermarks: dict[str, dt.datetime] = field(default_factory=dict)
    heads: dict[int, Head] = field(default_factory=dict)
    projects: dict[int, ProjectInfo] = field(default_factory=dict)
    #: (table, key) folders whose old parts are replaced by this run's (re-listed in full)
    replaced: set[tuple[str, str]] = field(default_factory=set)
    #: (table, key) folders this run keeps (old parts are carried over unless replaced)
    kept: set[tuple[str, str]] = field(default_factory=set)
    #: groups resolved: id -> full path
    groups: dict[int, str] = field(default_factory=dict)
    listings: list[Listing] = field(default_factory=list)
    #: GitLab's maximum offset for this run (LEADERBOARD_MAX_OFFSET, lowered by a 405)
    limit: OffsetLimit = field(init=False)

    def __post_init__(self) -> None:
        self.limit = OffsetLimit(self.settings.max_offset)

    @property
    def full(self) -> bool:
        return self.mode == "full"

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.settings.since, dt.time(), tzinfo=dt.UTC)

    def mine(self, project_id: int) -> bool:
        """This shard's stable share of the projects (all of them when not sharded)."""
        settings = self.settings
        return project_id % settings.node_total == settings.node_index - 1

    def part_path(self, table: str, key: str) -> Path:
        return self.staging_raw / table / key / f"{self.run_tag}.parquet"

    def listing(
        self,
        *,
        table: str,
        key: str,
        path: str,
        params: Mapping[str, Any],
        what: str,
        owner: tuple[str, str],
        convert: Callable[[Mapping[str, Any]], dict[str, Any]],
        ahead: bool = True,
        order: tuple[str, bool] | None = None,
        floor: dt.datetime | None = None,
        check: str = "end-of-list",
        keep_empty: bool = True,
        write: bool = True,
        on_done: Callable[[Listing], Iterable[Source]] | None = None,
        observe: Callable[[pa.Table], None] | None = None,
        to_table: Callable[[Sequence[Mapping[str, Any]]], pa.Table] | None = None,
        record_as: str | None = None,
        slicer: Slicer | None = None,
        stop_after: Callable[[Sequence[Mapping[str, Any]]], bool] | None = None,
        nothing_to_list: Callable[[BaseException], str | None] | None = None,
    ) -> Listing:
        """A listing that streams into `raw/<table>/<key>/<run_tag>.parquet`, recorded (as
        `record_as` in the manifest, default the table)."""
        record = ListingRecord(record_as or table, owner[0], owner[1], check=check)
        self.records.append(record)
        if write:
            self.kept.add((table, key))
        spec = ListingSpec(
            what=what,
            path=path,
            params={**params, "per_page": PER_PAGE},
            record=record,
            convert=convert,
            writer=PartWriter(self.part_path(table, key), schema.RAW[table]) if write else None,
            order_field=order[0] if order else None,
            descending=order[1] if order else False,
            floor=floor,
            keep_empty=keep_empty,
            on_done=on_done,
            observe=observe,
            to_table=to_table,
            slicer=slicer,
            limit=self.limit,
            stop_after=stop_after,
            nothing_to_list=nothing_to_list,
        )
        made = Listing(self.client, spec, ahead=ahead)
        self.listings.append(made)
        return made

    def drop_record(self, record: ListingRecord) -> None:
        self.records[:] = [r for r in self.records if r is not record]

    # -- merge requests and issues ------------------------------------------------------------

    def item_listings(self, kind: str, key: str, base: str, owner: tuple[str, str]) -> Listing:
        """MRs or issues of a group (`g<id>`) or a project named on its own (`p<id>`)."""
        table = "merge_requests" if kind == "merge_requests" else "issues"
        label = "merge requests" if kind == "merge_requests" else "issues"
        watermark_key = f"{table}/{key}"
        updated_after = self._updated_after(watermark_key)
        started = dt.datetime.now(dt.UTC)
        to_row = rows.merge_request_to_row if kind == "merge_requests" else rows.issue_to_row
        to_columns = (
            columns.merge_requests_table if kind == "merge_requests" else columns.issues_table
        )
        seen: list[dt.datetime] = []

        def convert(item: Mapping[str, Any]) -> dict[str, Any]:
            # runs on the worker threads: pure; the newest time is tracked by `observe`
            return to_row(item, self.extracted_at)

        def to_table(items: Sequence[Mapping[str, Any]]) -> pa.Table:
            return to_columns(items, self.extracted_at)  # on the worker threads too: pure

        def observe(new: pa.Table) -> None:
            newest = pc.max(new.column("updated_at")).as_py()
            if newest is not None:
                newest = newest.astimezone(dt.UTC)  # Arrow's zoneinfo UTC, as parse_time gives
                if not seen or newest > seen[0]:
                    seen[:] = [newest]

        def done(listing: Listing) -> Iterable[Source]:
            # the earlier of our clock and the server's, so skew either way errs on re-reading
            begun = min(started, listing.server_time or started)
            self._advance(watermark_key, seen[0] if seen else None, begun)
            return ()

        params: dict[str, Any] = {"scope": "all", "state": "all", "order_by": "created_at"}
        params |= {"sort": "asc", "updated_after": _iso(updated_after)}
        if base.startswith("/groups/"):
            params["non_archived"] = "false"
        if self.full or not self.previous or watermark_key not in self.previous.watermarks:
            self.replaced.add((table, key))
        return self.listing(
            table=table,
            key=key,
            path=f"{base}/{kind}",
            params=params,
            what=f"{label} of {owner[0]} {owner[1]}",
            owner=owner,
            convert=convert,
            order=("created_at", False),
            keep_empty=(table, key) in self.replaced,
            on_done=done,
            observe=observe,
            to_table=to_table,
        )

    def _updated_after(self, watermark_key: str) -> dt.datetime:
        previous = self.previous.watermarks.get(watermark_key) if self.previous else None
        if self.full or previous is None:
            return self.since  # a listing the last state never saw is listed in full
        return max(self.since, previous - OVERLAP)

    def _advance(self, key: str, newest: dt.datetime | None, started: dt.datetime) -> None:
        """The next run re-reads from here (minus OVERLAP): the newest updated_at seen, but never
        past when the listing began, so an item updated behind its position is read next time;
        a listing that found nothing saw that nothing changed until it began."""
        self.watermarks[key] = started if newest is None else min(newest, started)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
