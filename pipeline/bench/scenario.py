"""The benchmark's yardstick: the requests an extraction of the simulated organisation needs.

Run as `python -m pipeline.bench.scenario ...` in its own process (the benchmark does this
while the simulator generates the same dataset), so neither the benchmark nor the measured
extractor carries the generated organisation in memory.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.sim.org.config import SimConfig
from pipeline.sim.org.generate import build_dataset
from pipeline.sim.org.model import Dataset
from pipeline.sim.org.roster import bench_roster_csv
from pipeline.times import parse_utc

PER_PAGE = 100
GROUP = "bench"
SCENARIO_FILE = "scenario.json"


def pages(rows: int) -> int:
    """Pages one listing needs at 100 per page: an empty list still costs one request."""
    return max(1, math.ceil(rows / PER_PAGE))


def commit_pages(rows: int) -> int:
    """The commits listing never counts its rows, so (on GitLab as in the simulator) a full last
    page still announces a next one, which comes back empty: one more page at exact multiples."""
    return rows // PER_PAGE + 1


@dataclass
class Scenario:
    """Expected rows, necessary requests per simulator route, and commits per project."""

    rows: dict[str, int]
    necessary: dict[str, int]
    #: project path -> default-branch commits since LEADERBOARD_SINCE (one listing each)
    commits_by_project: dict[str, int] = field(default_factory=dict)
    projects: int = 0
    roster: int = 0
    #: per review-event listing (project x approved/commented): the events an incremental run
    #: reads again, newest first: those from its newest event less the 10-minute overlap on, and
    #: the first older one that stops it (if its `after` day range holds one)
    event_tails: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.necessary.values())

    @property
    def group_listing_pages(self) -> int:
        """Pages of the group projects listing (what an incremental run re-reads in full)."""
        return self.necessary.get("group_projects", 0)

    @property
    def longest_listing(self) -> int:
        """Rows of the longest single listing (a project's commits, the group's MRs or issues)."""
        counts = [*self.commits_by_project.values()]
        counts += [self.rows.get("merge_requests", 0), self.rows.get("issues", 0)]
        return max(counts, default=0)

    @staticmethod
    def load(path: Path) -> Scenario:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Scenario(**data)


def measure(ds: Dataset, since: dt.datetime, roster: list[str]) -> Scenario:
    """What a full extraction of group `bench` with this roster must fetch, and no more."""
    root = ds.group_by_path(GROUP)
    assert root is not None, "the bench profile has a group named bench"
    spaces = ds.subgroup_ids(root.id)
    in_scope = [p for p in ds.projects.values() if p.namespace_id in spaces]
    ids = {p.id for p in in_scope}
    by_project: dict[str, int] = {}
    for project in sorted(in_scope, key=lambda p: p.id):
        head = project.branches.get(project.default_branch)
        if head is None:
            continue  # an empty repository: no default-branch listing at all
        log = ds.log(head)
        by_project[project.path_with_namespace] = sum(
            1 for sha in log if ds.commits[sha].committed_date >= since
        )
    mrs = sum(
        1 for m in ds.merge_requests.values() if m.project_id in ids and m.updated_at >= since
    )
    issues = sum(1 for i in ds.issues.values() if i.project_id in ids and i.updated_at >= since)
    event_rows, event_pages, event_tails = review_events(ds, ids, since)
    known = {u.username.lower() for u in ds.users.values()}
    found = sum(1 for name in roster if name.lower() in known)
    named = _named(ds, ids, since)
    necessary = {
        "version": 1,
        "group": 1,
        "group_projects": pages(len(in_scope)),
        "group_merge_requests": pages(mrs),
        "group_issues": pages(issues),
        "commits": sum(commit_pages(n) for n in by_project.values()),
        # a user's id comes from the MRs, issues and events that name them; only a roster name
        # none names needs `/users?username=`; everyone GitLab has needs one `/users/:id`
        "users_search": sum(1 for name in roster if name.lower() not in named),
        "user": found,
        "project_events": sum(event_pages),
    }
    rows = {
        "commits": sum(by_project.values()),
        "merge_requests": mrs,
        "issues": issues,
        "projects": len(in_scope),
        "users": found,
        "events": sum(event_rows),
    }
    return Scenario(rows, necessary, by_project, len(in_scope), len(roster), event_tails)


#: GitLab's events count cap (Kaminari's MAX_COUNT_LIMIT, `app/finders/events_finder.rb`): a
#: listing pages to at most this count + 1, so a longer one must be read as several date ranges
EVENTS_COUNT_CAP = 10_000
#: An events date bound must hold in every zone (UTC-12 to UTC+14): `after=D` reaches no
#: further back than D + 1 day + 12 h UTC, the simulator's (UTC) D + 1 day 00:00.
AFTER_MARGIN = dt.timedelta(days=1, hours=12)


def _day_start(instant: dt.datetime) -> dt.datetime:
    """Where an `after` day that holds in every zone starts in the simulator (UTC)."""
    day = (instant - AFTER_MARGIN).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def range_pages(times: list[dt.datetime], start: dt.datetime) -> int:
    """Pages of one events listing from `start`, oldest first, read as the count cap forces it:
    a range pages up to the capped count, the next one starts at the day of its last event
    (re-reading that edge), until a range falls below the cap."""
    total = 0
    while True:
        rows = [t for t in times if t >= start]
        if len(rows) < EVENTS_COUNT_CAP:
            return total + pages(len(rows))
        capped = math.ceil((EVENTS_COUNT_CAP + 1) / PER_PAGE)
        total += capped
        following = _day_start(rows[min(len(rows), capped * PER_PAGE) - 1])
        if following <= start:
            return total  # the extraction fails here (too many events in a few days)
        start = following


def _named(ds: Dataset, ids: set[int], since: dt.datetime) -> set[str]:
    """Usernames an extracted MR or issue (author, merged_by, closed_by) or review event names."""
    users: set[int | None] = set()
    for mr in ds.merge_requests.values():
        if mr.project_id in ids and mr.updated_at >= since:
            users |= {mr.author, mr.merged_by, mr.closed_by}
    for issue in ds.issues.values():
        if issue.project_id in ids and issue.updated_at >= since:
            users |= {issue.author, issue.closed_by}
    first = _day_start(since)
    users |= {e.author for e in ds.events.values() if e.project_id in ids and e.created_at >= first}
    return {ds.users[uid].username.lower() for uid in users if uid is not None}


def review_events(
    ds: Dataset, ids: set[int], since: dt.datetime
) -> tuple[list[int], list[int], list[int]]:
    """Rows and pages of each project's approval and comment listings from the first day an
    `after` bound that holds in every time zone keeps, and the rows an incremental run reads
    again: newest first down to the first one older than the listing's newest event less the
    overlap, within the day range its `after` allows."""
    first = _day_start(since)
    listings: dict[tuple[int, str], list[dt.datetime]] = {
        (pid, action): [] for pid in sorted(ids) for action in ("approved", "commented")
    }
    for event in sorted(ds.events.values(), key=lambda e: e.id):  # GitLab's order: by id
        if event.project_id in ids and event.created_at >= first:
            listings[(event.project_id, event.action)].append(event.created_at)
    rows, event_pages, tails = [], [], []
    for times in listings.values():
        rows.append(len(times))
        event_pages.append(range_pages(times, first))
        if not times:
            tails.append(0)
            continue
        bound = max(times) - dt.timedelta(minutes=10)
        in_range = sum(1 for t in times if t >= _day_start(bound))
        tails.append(min(in_range, sum(1 for t in times if t >= bound) + 1))
    return rows, event_pages, tails


def prepare(
    out: Path, *, scale: float, seed: int, now: dt.datetime, since: dt.date, people: int
) -> Scenario:
    """Generate the bench organisation, write its roster (teams.csv, bots.txt) and scenario."""
    ds = build_dataset(SimConfig(profile="bench", scale=scale, seed=seed, now=now), "http://sim")
    roster_csv = bench_roster_csv(ds, people)
    out.mkdir(parents=True, exist_ok=True)
    (out / "teams.csv").write_text(roster_csv, encoding="utf-8")
    (out / "bots.txt").write_text("", encoding="utf-8")
    usernames = [row["username"] for row in csv.DictReader(io.StringIO(roster_csv))]
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    scenario = measure(ds, start, usernames)
    (out / SCENARIO_FILE).write_text(json.dumps(asdict(scenario)), encoding="utf-8")
    return scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench.scenario")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--now", required=True, help="the simulator's --now")
    parser.add_argument("--since", required=True, help="LEADERBOARD_SINCE, YYYY-MM-DD")
    parser.add_argument("--people", type=int, default=500)
    args = parser.parse_args(argv)
    now = parse_utc(args.now)
    since = dt.date.fromisoformat(args.since)
    prepare(args.out, scale=args.scale, seed=args.seed, now=now, since=since, people=args.people)
    return 0


if __name__ == "__main__":
    sys.exit(main())
