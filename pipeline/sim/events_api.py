"""`GET /projects/:id/events` as GitLab serves it: entity shape, filters, exclusive dates, paging.

GitLab's `EventsFinder` (`app/finders/events_finder.rb`): `action` and `target_type` filter
(`target_type=note` matches every kind of note), `after=D` keeps events created after the end of
day D and `before=D` those before its start (plain dates, both exclusive, read in the instance's
time zone: `params[:after].end_of_day` under `config/initializers/time_zone.rb`'s `Time.zone`),
`sort` asc|desc orders by id (default desc). The count stops at 10,001 (`events_count_cap` + 1)
and is taken before `visible_to_user?` drops the events this token cannot see
(`hidden_events`), so pages may be short and rows fewer than X-Total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pipeline.sim.filters import BadParam
from pipeline.sim.org.config import SimConfig
from pipeline.sim.org.model import Dataset, Event, Project
from pipeline.sim.paging import PageRequest, Response, paginate
from pipeline.sim.render import Renderer, dumps, ts_utc

ACTIONS = (
    *("approved", "commented", "created", "updated", "closed", "reopened", "pushed"),
    *("merged", "joined", "left", "destroyed", "expired"),
)
TARGET_TYPES = {
    "merge_request": ("MergeRequest",),
    "note": ("Note", "DiffNote", "DiscussionNote"),
    "issue": ("Issue",),
}
Memo = Callable[[tuple[object, ...], Callable[[], list[object]]], list[object]]


class EventsApi:
    """The project events listing; rendered events are cached as bytes (events never change)."""

    def __init__(self, ds: Dataset, renderer: Renderer, memo: Memo, cfg: SimConfig) -> None:
        self.ds = ds
        self.r = renderer
        self._memo = memo
        self._cache: dict[int, bytes] = {}
        self.cfg = cfg

    def listing(self, project: Project, req: PageRequest) -> Response:
        params = req.params
        action = params.get("action")
        if action is not None and action not in ACTIONS:
            raise BadParam("action does not have a valid value")
        target = params.get("target_type")
        if target is not None and target not in TARGET_TYPES:
            raise BadParam("target_type does not have a valid value")
        sort = params.get("sort", "desc")
        if sort not in ("asc", "desc"):
            raise BadParam("sort does not have a valid value")
        zone = self.cfg.zone()
        after, before = _date(params, "after", zone), _date(params, "before", zone)
        key = ("events", project.id, action, target, after, before, sort)

        def build() -> list[object]:
            kept = [
                e
                for e in self.ds.events.values()
                if e.project_id == project.id
                and (action is None or e.action == action)
                and (target is None or self.target_type(e) in TARGET_TYPES[target])
                and (after is None or e.created_at >= after + dt.timedelta(days=1))
                and (before is None or e.created_at < before)
            ]
            kept.sort(key=lambda e: e.id, reverse=sort == "desc")
            return list(kept)

        rows = self._memo(key, build)
        share = self.cfg.hidden_events

        def fetch(a: int, b: int) -> list[bytes]:
            page: list[Event] = rows[a:b]  # type: ignore[assignment]
            return [self.event_bytes(e) for e in page if not hidden(e.id, share)]

        return paginate(req, len(rows), fetch, count_cap=self.cfg.events_count_cap)

    def target_type(self, e: Event) -> str:
        if e.action == "approved":
            return "MergeRequest"
        return "DiffNote" if e.noteable_type == "MergeRequest" and e.id % 3 == 0 else "Note"

    def event(self, e: Event) -> dict[str, object]:
        """An event as GitLab's `Event` entity (a comment carries its `note`)."""
        ds = self.ds
        user = ds.users[e.author]
        author = self.r.user_basic(user)
        body: dict[str, object] = {
            "id": e.id,
            "title": None,
            "project_id": e.project_id,
            "action_name": "approved" if e.action == "approved" else "commented on",
            "target_id": e.target_id,
            "target_iid": e.target_id,  # GitLab's target_iid of a note is the note id
            "target_type": self.target_type(e),
            "author_id": user.id,
            "target_title": None,
            "created_at": ts_utc(e.created_at),
            "author": author,
            "imported": False,
            "imported_from": "none",
            "author_username": user.username,
        }
        if e.action == "approved":
            mr = ds.merge_requests.get(e.target_id)
            body["target_iid"] = mr.iid if mr else None
            body["target_title"] = mr.title if mr else None
        else:
            body["target_title"], body["note"] = self._note(e, author)
        return body

    def _note(self, e: Event, author: dict[str, object]) -> tuple[str | None, dict[str, object]]:
        item = (
            self.ds.merge_requests.get(e.noteable_id or 0)
            if e.noteable_type == "MergeRequest"
            else self.ds.issues.get(e.noteable_id or 0)
        )
        note: dict[str, object] = {
            "id": e.target_id,
            "type": self.target_type(e) if self.target_type(e) != "Note" else None,
            "body": e.body,
            "attachment": None,
            "author": author,
            "created_at": ts_utc(e.created_at),
            "updated_at": ts_utc(e.created_at),
            "system": e.system,
            "noteable_id": e.noteable_id,
            "noteable_type": e.noteable_type,
            "project_id": e.project_id,
            "resolvable": False,
            "confidential": False,
            "internal": False,
            "imported": False,
            "imported_from": "none",
            "noteable_iid": item.iid if item else None,
            "commands_changes": {},
        }
        return (item.title if item else None), note

    def event_bytes(self, e: Event) -> bytes:
        hit = self._cache.get(e.id)
        if hit is None:
            hit = self._cache[e.id] = dumps(self.event(e))
        return hit


def hidden(event_id: int, share: float) -> bool:
    """Whether this token cannot see the event: a stable `share` of events, chosen by id."""
    return share > 0 and (event_id * 2654435761) % 1000 < share * 1000


def _date(params: dict[str, str], name: str, zone: dt.tzinfo) -> dt.datetime | None:
    """A `YYYY-MM-DD` parameter as the start of that day in the instance's zone."""
    raw = params.get(name)
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise BadParam(f"{name} is invalid") from None
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)
