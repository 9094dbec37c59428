"""Demo accounts GitLab hides or renamed: a blocked and a banned leaver, a renamed user.

Added after the rest of the demo with their own random stream, so every other commit, MR, issue
and event is as it was but for ids: their commits reach the default branches through one merge
at each tip, and MRs, issues and events are numbered again in time order with theirs, as
GitLab's sequences would have given them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from pipeline.sim.org.history import DAY, Author, CommitFactory, number_items
from pipeline.sim.org.model import Dataset, Event, Issue, MergeRequest, User
from pipeline.sim.org.reviews import renumber_events


@dataclass(frozen=True)
class Account:
    """A demo account: active from `first` to `last` days before now in its projects."""

    id: int
    username: str
    name: str
    state: str
    projects: tuple[int, ...]
    first: int
    last: int
    #: the username it had until RENAMED_DAYS_AGO (its commits kept that private address)
    former: str | None = None


ACCOUNTS = (
    Account(20, "rosa", "Rosa Blocked", "blocked", (101,), 700, 150),
    Account(21, "sam", "Sam Banned", "banned", (102,), 500, 45),
    Account(22, "tara", "Tara Renamed", "active", (101, 102), 600, 1, former="tbaker"),
)
#: the leavers' `left` dates in the sample roster, days before now (after their last activity)
LEFT_DAYS_AGO = {"rosa": 150, "sam": 45}
RENAMED_DAYS_AGO = 100
COMMITS, MRS, ISSUES = 12, 3, 2  # per account and project
TITLES = ("Tune the cache", "Fix the importer", "Document the API", "Retry on 503")


def add_accounts(ds: Dataset, seed: int) -> None:
    """Add the accounts with their commits, MRs, issues and review events."""
    rng = random.Random(f"accounts-{seed}")
    factory = CommitFactory(ds, f"accounts-{seed}")
    for a in ACCOUNTS:
        ds.users[a.id] = User(a.id, a.username, a.name, a.state, None, False, _emails(ds, a))
    for pid in (101, 102):
        _merge_side_branch(ds, factory, rng, pid)
    events: list[Event] = []
    for a in ACCOUNTS:
        for pid in a.projects:
            events += _items(ds, rng, a, pid)
    for event in events:
        ds.events[-len(ds.events) - 1] = event  # a temporary key; renumbered just below
    _renumber_items(ds)
    renumber_events(ds)


def _renumber_items(ds: Dataset) -> None:
    """MR and issue ids and iids in creation order again; events follow their MR or issue."""
    mrs, issues = list(ds.merge_requests.values()), list(ds.issues.values())
    was = [(m, m.id) for m in mrs], [(i, i.id) for i in issues]
    ds.merge_requests.clear()
    ds.issues.clear()
    number_items(ds, mrs, issues)  # by created_at, ties in the order they had
    mr_ids = {old: m.id for m, old in was[0]}
    issue_ids = {old: i.id for i, old in was[1]}
    for event in ds.events.values():
        if event.action == "approved":
            event.target_id = mr_ids[event.target_id]
        if event.noteable_id is not None:
            table = mr_ids if event.noteable_type == "MergeRequest" else issue_ids
            event.noteable_id = table[event.noteable_id]


def _emails(ds: Dataset, a: Account) -> list[str]:
    """Private commit addresses `ID-username@NOREPLY` (lib/gitlab/private_commit_email.rb)."""
    names = [a.former, a.username] if a.former else [a.username]
    return [f"{a.id}-{name}@{ds.noreply_domain}" for name in names]


def _span(ds: Dataset, a: Account) -> tuple[dt.datetime, dt.datetime]:
    return ds.now - a.first * DAY, ds.now - a.last * DAY


def _moment(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def _merge_side_branch(ds: Dataset, factory: CommitFactory, rng: random.Random, pid: int) -> None:
    """The accounts' commits in this project on one branch, merged at the default branch's tip."""
    drafts: list[tuple[dt.datetime, Author]] = []
    renamed = ds.now - RENAMED_DAYS_AGO * DAY
    for a in (a for a in ACCOUNTS if pid in a.projects):
        old, new = ds.users[a.id].commit_emails[0], ds.users[a.id].commit_emails[-1]
        for _ in range(COMMITS):
            when = _moment(rng, *_span(ds, a))
            drafts.append((when, Author(a.name, old if when < renamed else new)))
    drafts.sort(key=lambda d: d[0])
    project = ds.projects[pid]
    head = project.branches[project.default_branch]
    tip = next(s for s in ds.log(head) if ds.commits[s].committed_date < drafts[0][0])
    for when, author in drafts:
        tip = factory.make(author, when, [tip], rng.choice(TITLES))
    last = ds.commits[head]
    merger = Author(last.author_name, last.author_email, last.author_offset_min)
    title = f"Merge branch 'people' into '{project.default_branch}'"
    project.branches[project.default_branch] = factory.make(
        merger, last.committed_date + dt.timedelta(minutes=1), [head, tip], title
    )
    ds.forget_log_cache()


def _items(ds: Dataset, rng: random.Random, a: Account, pid: int) -> list[Event]:
    """MRs (all merged or closed: the leavers are gone) and issues by `a`, with reviews by the
    other accounts of the project while they were active."""
    start, end = _span(ds, a)
    peers = [p for p in ACCOUNTS if pid in p.projects and p.id != a.id]
    events: list[Event] = []
    for _ in range(MRS):
        created = _moment(rng, start, end - DAY)
        done = created + dt.timedelta(seconds=rng.randrange(3600, 86400))
        mr = MergeRequest(0, 0, pid, rng.choice(TITLES), "merged", created, done, a.id)
        mr.target_branch = ds.projects[pid].default_branch
        if rng.random() < 0.75:
            mr.merged_at, mr.merged_by = done, (peers[0].id if peers else a.id)
        else:
            mr.state, mr.closed_at, mr.closed_by = "closed", done, a.id
        _add(ds, mr)
        for peer in peers:
            if _span(ds, peer)[0] < created and done < _span(ds, peer)[1]:
                at = _moment(rng, created, done)
                events.append(Event(0, pid, "approved", peer.id, at, mr.id))
                comment = Event(0, pid, "commented", peer.id, at, 0, "MergeRequest", mr.id)
                comment.body = "LGTM"
                events.append(comment)
                mr.updated_at = max(mr.updated_at, at)
    for _ in range(ISSUES):
        created = _moment(rng, start, end - DAY)
        issue = Issue(0, 0, pid, rng.choice(TITLES), "opened", created, created, a.id)
        if rng.random() < 0.5:
            issue.state, issue.closed_at, issue.closed_by = "closed", created + DAY, a.id
            issue.updated_at = created + DAY
        _add(ds, issue)
    return events


def _add(ds: Dataset, item: MergeRequest | Issue) -> None:
    """The next free id and iid, until `_renumber_items` gives every item its final ones."""
    kind = "merge_requests" if isinstance(item, MergeRequest) else "issues"
    store: dict[int, MergeRequest] | dict[int, Issue] = getattr(ds, kind)
    siblings = [other.iid for other in store.values() if other.project_id == item.project_id]
    item.id, item.iid = max(store) + 1, max(siblings, default=0) + 1
    item.web_url = f"{ds.projects[item.project_id].web_url}/-/{kind}/{item.iid}"
    store[item.id] = item  # type: ignore[assignment]
