"""One extraction run's shared state, and the declaration every GitLab resource's listings use.

Each resource module (`projects`, `commits`, `mrs_and_issues`, `events`; `users` makes single
look-ups) declares its listings as `Listed`: where they go, how they are ordered, cut and
resumed, and their columns. `Extraction.start` turns a declaration into a running `Listing`
with its manifest record and Parquet writer.
"""

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

Item = Mapping[str, Any]


@dataclass(frozen=True)
class Order:
    """The field a listing is ordered by, for fetch-ahead estimates (see `ahead`)."""

    field: str
    descending: bool = False
    #: the oldest time a descending listing reaches (its since, or its stop instant)
    floor: dt.datetime | None = None


@dataclass
class Listed:
    """One listing as its resource module declares it."""

    table: str  # the raw table its rows go to ("" for none: discovery collects instead)
    key: str  # its folder under raw/<table>/, e.g. "p101" or "g10"
    path: str  # /projects/101/repository/commits
    params: Mapping[str, Any]  # per_page is added
    what: str  # the error line's label, e.g. "commits of acme/app"
    owner: tuple[str, str]  # ("project" | "group", full path) for the manifest
    #: a page's items as an Arrow table of the table's schema (on a worker: must be pure)
    columns: Callable[[Sequence[Item]], pa.Table] | None = None
    #: no table: each item is handed over instead, on the scheduler's thread
    collect: Callable[[Item], None] | None = None
    order: Order | None = None
    #: how it goes on where GitLab ends it short (`slices`); None: read in one piece
    slicer: Slicer | None = None
    #: True: its rows replace the folder's earlier parts (a full listing); False: added beside
    replaces: bool = True
    check: str = "end-of-list"  # the manifest's check when it ends at the end of the list
    record_as: str | None = None  # the manifest's `what`, default the table
    ahead: bool = True  # may fetch pages ahead by number when workers idle
    #: the page that is the last one needed (see `ListingSpec.stop_after`)
    stop_after: Callable[[Sequence[Item]], bool] | None = None
    #: a failure of page 1 that means there is nothing to list (`ListingSpec.nothing_to_list`)
    nothing_to_list: Callable[[BaseException], str | None] | None = None
    on_done: Callable[[Listing], Iterable[Source]] | None = None
    observe: Callable[[pa.Table], None] | None = None


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
    """Everything the resource modules of one run share; touched only on the scheduler's
    thread."""

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

    def previous_watermark(self, key: str) -> dt.datetime | None:
        """The last run's watermark for `key`; None on a full run or for a new listing."""
        if self.full or self.previous is None:
            return None
        return self.previous.watermarks.get(key)

    def start(self, listed: Listed) -> Listing:
        """The running listing of a declaration, recorded in the manifest; its rows stream into
        `raw/<table>/<key>/<run_tag>.parquet`."""
        record = ListingRecord(listed.record_as or listed.table, *listed.owner, check=listed.check)
        self.records.append(record)
        writer = None
        if listed.table:
            folder = (listed.table, listed.key)
            self.kept.add(folder)
            if listed.replaces:
                self.replaced.add(folder)
            part = self.staging_raw / listed.table / listed.key / f"{self.run_tag}.parquet"
            writer = PartWriter(part, schema.RAW[listed.table])
        order = listed.order
        spec = ListingSpec(
            what=listed.what,
            path=listed.path,
            params={**listed.params, "per_page": PER_PAGE},
            record=record,
            writer=writer,
            collect=listed.collect,
            order_field=order.field if order else None,
            descending=order.descending if order else False,
            floor=order.floor if order else None,
            keep_empty=listed.replaces,
            on_done=listed.on_done,
            observe=listed.observe,
            to_table=listed.columns,
            slicer=listed.slicer,
            limit=self.limit,
            stop_after=listed.stop_after,
            nothing_to_list=listed.nothing_to_list,
        )
        made = Listing(self.client, spec, ahead=listed.ahead)
        self.listings.append(made)
        return made

    def drop_record(self, record: ListingRecord) -> None:
        self.records[:] = [r for r in self.records if r is not record]


class Watermark:
    """Where the next run resumes a listing: the newest `field` its rows held, but never past
    when it began (so an item changed behind the listing's position is read again next time);
    a listing that found nothing saw that nothing changed until it began. The earlier of our
    clock and the server's `Date` is taken, so skew either way errs on re-reading."""

    def __init__(self, ex: Extraction, key: str, field: str) -> None:
        self.ex, self.key, self.field = ex, key, field
        self.previous = ex.previous_watermark(key)
        self.started = dt.datetime.now(dt.UTC)
        self.newest: dt.datetime | None = None

    def observe(self, new: pa.Table) -> None:
        """A page's new rows, in page order (on the scheduler's thread)."""
        value = pc.max(new.column(self.field)).as_py()
        if value is not None and (self.newest is None or value > self.newest):
            self.newest = value.astimezone(dt.UTC)  # Arrow's zoneinfo UTC as datetime's

    def done(self, listing: Listing) -> Iterable[Source]:
        begun = min(self.started, listing.server_time or self.started)
        self.ex.watermarks[self.key] = begun if self.newest is None else min(self.newest, begun)
        return ()
