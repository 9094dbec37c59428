"""The slicing rules: where a slice is cut, how the next one starts, what a 405 teaches."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.errors import CompletenessError
from pipeline.extract.gitlab.retry import stated_max_offset, status_failure
from pipeline.extract.slices import (
    COMMITS,
    EVENTS,
    EVENTS_DESC,
    ITEMS,
    PROJECTS,
    OffsetLimit,
    check_slices,
    format_instant,
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


def test_commits_continue_until_the_last_commits_date_in_utc() -> None:
    params = {"ref_name": "main", "since": "2024-01-01T00:00:00Z", "per_page": 100, "page": 3}
    last = {"id": "abc", "committed_date": "2026-11-27T18:52:12.000+01:00"}
    assert COMMITS.next_params(params, last) == {
        "ref_name": "main",
        "since": "2024-01-01T00:00:00Z",
        "per_page": 100,
        "until": "2026-11-27T17:52:12Z",
    }


def test_items_continue_after_the_last_items_creation() -> None:
    params = {"order_by": "created_at", "sort": "asc", "updated_after": "2026-01-01T00:00:00Z"}
    last = {"id": 9, "created_at": "2026-03-04T05:06:07.250Z"}
    assert ITEMS.next_params(params, last) == {
        **params,
        "created_after": "2026-03-04T05:06:07.250000Z",  # the fraction kept: never past it
    }


def test_events_continue_after_the_day_before_the_last_events_day() -> None:
    # `after` is a date and exclusive: the day of the edge event (in UTC) is listed again
    params = {"action": "commented", "sort": "asc", "after": "2024-11-27", "page": 50}
    last = {"id": 77, "created_at": "2026-03-04T23:30:00.000-02:00"}  # 2026-03-05 in UTC
    assert EVENTS.next_params(params, last) == {
        "action": "commented",
        "sort": "asc",
        "after": "2026-03-04",
    }
    # a slice that holds only one day's events cannot move on
    assert EVENTS.next_params({"after": "2026-03-04"}, last) is None


def test_newest_first_events_continue_before_the_day_after_the_last_events_day() -> None:
    # `before` is a date and exclusive too: the edge event's UTC day is listed again, and the
    # incremental listing's `after` bound is kept
    params = {"action": "approved", "sort": "desc", "after": "2026-03-01", "page": 1}
    last = {"id": 77, "created_at": "2026-03-04T23:30:00.000-02:00"}  # 2026-03-05 in UTC
    assert EVENTS_DESC.next_params(params, last) == {
        "action": "approved",
        "sort": "desc",
        "after": "2026-03-01",
        "before": "2026-03-06",
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
    assert not PROJECTS.is_offset({"pagination": "keyset"}) and PROJECTS.is_offset(params)


def test_no_progress_no_slice() -> None:
    # a slice full of one instant cannot be cut after it; nor can an item without the field
    params = {"until": "2026-11-27T17:52:12Z"}
    assert COMMITS.next_params(params, {"committed_date": "2026-11-27T17:52:12Z"}) is None
    assert ITEMS.next_params({}, {"id": 1}) is None
    assert ITEMS.next_params({}, {"created_at": "not a time"}) is None


def test_format_instant() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_instant(when) == "2026-01-02T01:04:05Z"


def record_with(*pieces: SliceRecord, check: str = "end-of-list") -> ListingRecord:
    record = ListingRecord("merge_requests", "group", "acme", check=check)
    record.slices.extend(pieces)
    return record


def test_each_slice_is_checked_against_its_x_total() -> None:
    first = SliceRecord({}, pages=1, rows=100, x_total=178, check="continued")
    second = SliceRecord({"created_after": "x"}, pages=1, rows=79, x_total=79)
    record = record_with(first, second)
    check_slices("merge requests of group acme", record, [100, 78])
    assert [s.check for s in record.slices] == ["continued", "x-total"]
    short = record_with(
        SliceRecord({}, pages=1, rows=100, x_total=180, check="continued"),
        SliceRecord({"created_after": "x"}, pages=1, rows=79, x_total=79),
    )
    with pytest.raises(CompletenessError, match="slice 1"):
        check_slices("merge requests of group acme", short, [100, 78])


def test_the_last_slice_of_a_range_stays_a_range() -> None:
    record = record_with(
        SliceRecord({}, pages=1, rows=100, check="continued"),
        SliceRecord({"until": "x"}, pages=1, rows=5),
        check="range",
    )
    check_slices("commits of acme/app", record, [100, 4])
    assert record.slices[-1].check == "range"
