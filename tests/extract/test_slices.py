"""The slicing rules: where a slice is cut, how the next one starts, what a 405 teaches."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.errors import CompletenessError
from pipeline.extract.gitlab.retry import stated_max_offset, status_failure
from pipeline.extract.slices import (
    EVENTS,
    EVENTS_COUNT_LIMIT,
    EVENTS_DESC,
    PROJECTS,
    OffsetLimit,
    Slices,
    check_slices,
    day_after,
    day_before,
)
from pipeline.extract.store.manifest import ListingRecord, SliceRecord

GITLAB_405 = (
    "Offset pagination has a maximum allowed offset of 50000 for requests that return objects "
    "of type Project. Remaining records can be retrieved using keyset pagination."
)


def test_max_page_follows_gitlabs_rule() -> None:
    # GitLab refuses page * per_page > limit: page 500 of 100 is the last at 50,000 rows.
    assert OffsetLimit(50_000).max_page(100) == 500
    assert OffsetLimit(3_050).max_page(100) == 30
    assert OffsetLimit(0).max_page(100) is None


def test_a_stated_limit_only_ever_lowers_it() -> None:
    limit = OffsetLimit(50_000)
    assert limit.learn(3_000, "x") and (limit.rows, limit.learned) == (3_000, True)
    assert not limit.learn(5_000, "x") and limit.rows == 3_000
    unlimited = OffsetLimit(0)
    assert unlimited.learn(50_000, "x") and unlimited.max_page(100) == 500


def test_the_405_message_states_the_limit() -> None:
    assert stated_max_offset(GITLAB_405) == 50_000
    assert stated_max_offset("405 Method Not Allowed") is None
    assert stated_max_offset(None) is None
    failure = status_failure(405, {}, 0.0, GITLAB_405)
    assert (failure.reason, failure.retryable, failure.max_offset) == ("HTTP 405", False, 50_000)
    plain = status_failure(405, {}, 0.0, "405 Method Not Allowed")
    assert (plain.retryable, plain.max_offset) == (False, None)


def test_only_keyset_capable_listings_are_cut_at_the_maximum_offset() -> None:
    # lib/api/helpers/pagination_strategies.rb refuses offset pages only for keyset-capable
    # types: project discovery is cut; commits, MRs, issues and events never are.
    limit = OffsetLimit(200)
    params = {"per_page": 100, "order_by": "id", "sort": "asc"}
    assert Slices("d", params, ListingRecord("projects", "group", "g"), PROJECTS, limit).cut() == 2
    keyset = {**params, "pagination": "keyset"}
    assert (
        Slices("d", keyset, ListingRecord("projects", "group", "g"), PROJECTS, limit).cut() is None
    )
    for slicer in (None, EVENTS, EVENTS_DESC):
        slices = Slices("x", params, ListingRecord("events", "project", "p"), slicer, limit)
        assert slices.cut() is None
        assert not slices.learn(50_000)  # a 405 there is no limit to learn: it fails the run


def gitlab_keeps(created: dt.datetime, *, after: dt.date | None, before: dt.date | None,
                 offset: dt.timedelta) -> bool:  # fmt: skip
    """app/finders/events_finder.rb in an instance whose zone has this UTC offset:
    `created_at > params[:after].end_of_day`, `created_at < params[:before].beginning_of_day`."""
    zone = dt.timezone(offset)
    if after is not None:
        end_of_day = dt.datetime.combine(after, dt.time.max, tzinfo=zone)
        if not created > end_of_day:
            return False
    if before is not None:
        beginning = dt.datetime.combine(before, dt.time.min, tzinfo=zone)
        if not created < beginning:
            return False
    return True


ZONES = [dt.timedelta(minutes=m) for m in range(-12 * 60, 14 * 60 + 1, 15)]


@pytest.mark.parametrize("hour", range(24))
def test_day_bounds_keep_the_instant_in_every_zone_gitlab_allows(hour: int) -> None:
    for minute in (0, 1, 29, 59):
        instant = dt.datetime(2026, 3, 5, hour, minute, 30, tzinfo=dt.UTC)
        after, before = day_after(instant), day_before(instant)
        for offset in ZONES:
            assert gitlab_keeps(instant, after=after, before=None, offset=offset)
            assert gitlab_keeps(instant, after=None, before=before, offset=offset)
        # and they are the tightest such days: one day later (earlier) loses it somewhere
        later = after + dt.timedelta(days=1)
        earlier = before - dt.timedelta(days=1)
        assert not all(gitlab_keeps(instant, after=later, before=None, offset=o) for o in ZONES)
        assert not all(gitlab_keeps(instant, after=None, before=earlier, offset=o) for o in ZONES)


def test_an_incremental_run_after_a_run_at_three_utc_keeps_its_overlap_west_of_utc() -> None:
    # the failure issue 19 names: a watermark at 03:00 UTC, an instance at UTC-8. `after` the
    # watermark's UTC day less one (the old rule) ends at 08:00 UTC the next day in that zone.
    watermark = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC) - dt.timedelta(minutes=10)
    west = dt.timedelta(hours=-8)
    old_rule = watermark.date() - dt.timedelta(days=1)
    assert not gitlab_keeps(watermark, after=old_rule, before=None, offset=west)
    assert gitlab_keeps(watermark, after=day_after(watermark), before=None, offset=west)
    assert day_after(watermark) == dt.date(2026, 11, 26)


def test_events_ranges_continue_from_the_last_events_day_in_every_zone() -> None:
    params = {"action": "commented", "sort": "asc", "after": "2024-11-27", "page": 50}
    last = {"id": 77, "created_at": "2026-03-04T23:30:00.000-02:00"}  # 2026-03-05 01:30 UTC
    assert EVENTS.next_params(params, last) == {
        "action": "commented",
        "sort": "asc",
        "after": "2026-03-03",  # its end of day is 2026-03-04 12:00 UTC at the latest (UTC-12)
    }
    # a range whose events all lie within the same few days cannot move on
    assert EVENTS.next_params({"after": "2026-03-03"}, last) is None
    desc = {"action": "approved", "sort": "desc", "after": "2026-03-01", "page": 1}
    assert EVENTS_DESC.next_params(desc, last) == {
        "action": "approved",
        "sort": "desc",
        "after": "2026-03-01",
        "before": "2026-03-06",  # its beginning is 2026-03-05 10:00 UTC at the earliest (UTC+14)
    }
    assert EVENTS_DESC.next_params({"before": "2026-03-06"}, last) is None


def test_projects_continue_as_keyset_pages() -> None:
    params = {"include_subgroups": "true", "order_by": "id", "sort": "asc", "per_page": 100}
    assert PROJECTS.next_params(params, {"id": 4711}) == {
        "include_subgroups": "true",
        "order_by": "id",
        "sort": "asc",
        "per_page": 100,
        "pagination": "keyset",
        "id_after": "4711",
    }


def test_no_progress_no_slice() -> None:
    assert EVENTS.next_params({}, {"id": 1}) is None
    assert EVENTS.next_params({}, {"created_at": "not a time"}) is None
    assert PROJECTS.next_params({}, {"name": "x"}) is None


def capped_slices(x_total: int | None) -> Slices:
    record = ListingRecord("events:commented", "project", "acme/app")
    slices = Slices(
        "comment events of project acme/app", {"after": "2026-01-01"}, record, EVENTS, None
    )
    slices.record.slices[-1].x_total = x_total
    return slices


def test_an_events_range_without_x_total_reached_the_count_cap() -> None:
    # offset_pagination.rb drops X-Total once the capped count reaches 10,000
    assert capped_slices(None).reached_cap()
    assert capped_slices(EVENTS_COUNT_LIMIT).reached_cap()  # versions that still sent it
    assert not capped_slices(9_999).reached_cap()
    plain = Slices("x", {}, ListingRecord("commits", "project", "p"), None, None)
    assert not plain.reached_cap()


def test_an_events_range_that_cannot_move_on_fails_naming_listing_and_day() -> None:
    slices = capped_slices(None)
    slices.add_page([{"id": 5, "created_at": "2026-01-02T10:00:00Z"}], 1, [])
    with pytest.raises(CompletenessError) as failed:
        slices.advance(101)
    assert str(failed.value) == (
        "comment events of project acme/app: more than 10,000 events on or around 2026-01-02; "
        "GitLab's Events API counts no further and filters only by whole days, so they cannot "
        "be listed completely; nothing was written"
    )


def record_with(*pieces: SliceRecord, check: str = "end-of-list") -> ListingRecord:
    record = ListingRecord("merge_requests", "group", "acme", check=check)
    record.slices.extend(pieces)
    return record


def test_each_slice_is_checked_against_its_x_total() -> None:
    first = SliceRecord({}, pages=1, rows=100, x_total=178, check="continued")
    second = SliceRecord({"created_after": "x"}, pages=1, rows=79, x_total=79)
    record = record_with(first, second)
    check_slices("merge requests of group acme", record, [100, 78], unseen=False)
    assert [s.check for s in record.slices] == ["continued", "x-total"]
    short = record_with(
        SliceRecord({}, pages=1, rows=100, x_total=180, check="continued"),
        SliceRecord({"created_after": "x"}, pages=1, rows=79, x_total=79),
    )
    with pytest.raises(CompletenessError, match="slice 1"):
        check_slices("merge requests of group acme", short, [100, 78], unseen=False)


def test_the_last_slice_of_a_range_stays_a_range() -> None:
    record = record_with(
        SliceRecord({}, pages=1, rows=100, check="continued"),
        SliceRecord({"until": "x"}, pages=1, rows=5),
        check="range",
    )
    check_slices("commits of acme/app", record, [100, 4], unseen=False)
    assert record.slices[-1].check == "range"


def test_events_below_x_total_are_unseen_not_missing() -> None:
    # events_finder.rb counts before `visible_to_user?` filters the page: a healthy listing
    # returns fewer rows than X-Total, recorded as unseen, never an error
    record = record_with(
        SliceRecord({}, pages=2, rows=180, x_total=None, check="continued"),
        SliceRecord({"after": "2026-03-03"}, pages=1, rows=40, x_total=47),
    )
    check_slices("comment events of project acme/app", record, [180, 35], unseen=True)
    assert [(s.check, s.unseen) for s in record.slices] == [
        ("continued", None),
        ("end-of-list", 7),
    ]
    assert record.unseen == 7
