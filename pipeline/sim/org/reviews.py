"""Review activity on merge requests as Events API events: approvals and comments.

Besides the approvals and comments that count, the history holds what must not: self-approvals,
the author's own replies, system notes ("added 1 commit"), bot comments and comments on issues.
Generated with its own random stream, so commits, MRs and issues are the same with or without it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from pipeline.sim.org.model import Dataset, Event, MergeRequest

EVENT_ID_START = 70_001
NOTE_ID_START = 800_001
BODIES = ["LGTM", "Could this use a test?", "nit: naming", "<b>why</b> =1+1", "Looks good 👍"]


def add_review_history(ds: Dataset, seed: int, per_mr: float = 1.0) -> int:
    """Approvals and comments on every MR during its life (and comments on some issues); `per_mr`
    scales how many. MRs get `updated_at` no earlier than their last event, as GitLab touches them.
    Returns the number of events added."""
    rng = random.Random(f"reviews-{seed}")
    people = _people_by_project(ds)
    bots = sorted(u.id for u in ds.users.values() if u.bot)
    drafts: list[Event] = []
    for mr in sorted(ds.merge_requests.values(), key=lambda m: m.id):
        drafts += _mr_events(ds, rng, mr, people.get(mr.project_id, [mr.author]), bots, per_mr)
    for issue in sorted(ds.issues.values(), key=lambda i: i.id):
        if rng.random() < 0.2 * per_mr:
            end = issue.closed_at or ds.now
            who = rng.choice(people.get(issue.project_id, [issue.author]))
            at = _between(rng, issue.created_at, end)
            drafts.append(_comment(issue.project_id, who, at, rng.choice(BODIES)))
            drafts[-1].noteable_type, drafts[-1].noteable_id = "Issue", issue.id
    _number(ds, drafts)
    return len(drafts)


def _people_by_project(ds: Dataset) -> dict[int, list[int]]:
    found: dict[int, set[int]] = {}
    for pid, author in [
        *((m.project_id, m.author) for m in ds.merge_requests.values()),
        *((i.project_id, i.author) for i in ds.issues.values()),
    ]:
        found.setdefault(pid, set()).add(author)
    return {pid: sorted(ids) for pid, ids in found.items()}


def _mr_events(
    ds: Dataset,
    rng: random.Random,
    mr: MergeRequest,
    people: list[int],
    bots: list[int],
    per_mr: float,
) -> list[Event]:
    """One MR's review: others approve and comment; sometimes the author approves their own MR,
    replies, or pushes (a system note); sometimes a bot comments."""
    end = mr.merged_at or mr.closed_at or ds.now
    others = [p for p in people if p != mr.author and p not in bots] or [mr.author]
    out: list[Event] = []

    def when() -> dt.datetime:
        return _between(rng, mr.created_at, end)

    def on_mr(event: Event) -> None:
        event.noteable_type, event.noteable_id = "MergeRequest", mr.id
        out.append(event)

    for _ in range(_count(rng, 0.8 * per_mr)):
        out.append(Event(0, mr.project_id, "approved", rng.choice(others), when(), mr.id))
    if rng.random() < 0.08:
        out.append(Event(0, mr.project_id, "approved", mr.author, when(), mr.id))
    for _ in range(_count(rng, 1.2 * per_mr)):
        on_mr(_comment(mr.project_id, rng.choice(others), when(), rng.choice(BODIES)))
    if rng.random() < 0.3:
        on_mr(_comment(mr.project_id, mr.author, when(), "Thanks, fixed"))
    if rng.random() < 0.4:
        on_mr(_comment(mr.project_id, mr.author, when(), "added 1 commit", system=True))
    if bots and rng.random() < 0.15:
        on_mr(_comment(mr.project_id, rng.choice(bots), when(), "Pipeline passed"))
    if out:
        mr.updated_at = max(mr.updated_at, *(e.created_at for e in out))
    return out


def _comment(
    project_id: int, who: int, at: dt.datetime, body: str = "", *, system: bool = False
) -> Event:
    return Event(0, project_id, "commented", who, at, 0, body=body, system=system)


def _count(rng: random.Random, mean: float) -> int:
    """A small count with about this mean (0, 1, 2 or 3)."""
    return sum(rng.random() < mean / 3 for _ in range(3))


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A whole second in [start, end), or start when the span is empty."""
    span = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randrange(span)) if span > 1 else start


def _number(ds: Dataset, drafts: Iterable[Event]) -> None:
    """Event ids (and note ids) in time order, as GitLab's sequences give them."""
    ordered = sorted(drafts, key=lambda e: (e.created_at, e.project_id, e.action, e.author))
    next_event = max(ds.events, default=EVENT_ID_START - 1) + 1
    next_note = max((e.target_id for e in ds.events.values() if e.action == "commented"), default=0)
    next_note = max(next_note + 1, NOTE_ID_START)
    for event in ordered:
        event.id, next_event = next_event, next_event + 1
        if event.action == "commented":
            event.target_id, next_note = next_note, next_note + 1
        ds.events[event.id] = event


def renumber_events(ds: Dataset) -> None:
    """Every event's id and note id again in time order (after events were added in the past)."""
    events = [event for _, event in sorted(ds.events.items())]
    ds.events.clear()
    _number(ds, events)


def record_event(ds: Dataset, event: Event) -> Event:
    """A new event happening now (a mutation): the next ids; the MR or issue is touched."""
    _number(ds, [event])
    return event
