"""Review credit for the oracle, counted from the simulator's own events (not from raw data).

An approval (`approved`, on an MR) or a person's comment on an MR (not a system note), by a
non-bot member, on an in-scope MR whose author is someone else. `item_id` is the MR's id: the
distinct metrics count MRs, `review_comments` counts every comment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pipeline.sim.events_api import hidden
from pipeline.sim.org.model import Dataset, Event, MergeRequest

#: metric -> the kinds whose distinct MRs it counts
DISTINCT = {"mrs_approved": {"mr_approved"}, "mrs_reviewed": {"mr_approved", "review_comment"}}
#: metric -> the kind it counts one by one
EACH = {"review_comments": "review_comment"}
METRICS = ("mrs_approved", "review_comments", "mrs_reviewed")


def reviewed_mr(ds: Dataset, event: Event) -> tuple[str, MergeRequest] | None:
    """(kind, MR) when the event is review activity on an MR the server still has."""
    if event.action == "approved":
        kind, mr_id = "mr_approved", event.target_id
    elif event.noteable_type == "MergeRequest" and not event.system:
        kind, mr_id = "review_comment", event.noteable_id or 0
    else:
        return None
    mr = ds.merge_requests.get(mr_id)
    return None if mr is None else (kind, mr)


def review_items(
    ds: Dataset,
    scope: set[int],
    member_name: Callable[[int | None], str | None],
    hidden_share: float = 0.0,
) -> list[tuple[str, str, str, int, str, str, dt.datetime]]:
    """(username, kind, item_id, project_id, title, web_url, at) of every counted review that
    the token can see (`hidden_share` of events it cannot: the simulator's `hidden_events`)."""
    found = []
    for event in ds.events.values():
        if hidden(event.id, hidden_share):
            continue
        hit = reviewed_mr(ds, event)
        name = member_name(event.author)
        if hit is None or name is None or event.project_id not in scope:
            continue
        kind, mr = hit
        if ds.users[mr.author].username.lower() == name:
            continue  # nobody reviews their own MR
        url = mr.web_url + (f"#note_{event.target_id}" if kind == "review_comment" else "")
        found.append((name, kind, str(mr.id), mr.project_id, mr.title, url, event.created_at))
    return found


def review_counts(kinds_and_ids: list[tuple[str, str]]) -> dict[str, int]:
    """The three metrics over (kind, item_id) pairs of one person (or one person-week)."""
    counts = {m: sum(1 for k, _ in kinds_and_ids if k == kind) for m, kind in EACH.items()}
    for metric, kinds in DISTINCT.items():
        counts[metric] = len({i for k, i in kinds_and_ids if k in kinds})
    return {m: counts[m] for m in METRICS}
