"""UTC times as text: one reader, one writer."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from pipeline.times import Heartbeat, display_utc, format_utc, parse_utc

UTC = dt.UTC
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-08-23T00:00:00Z", dt.datetime(2026, 8, 23, tzinfo=UTC)),
        (" 2026-08-23T05:30:00+05:30 ", dt.datetime(2026, 8, 23, tzinfo=UTC)),
        ("2026-08-23T00:00:00.250000Z", dt.datetime(2026, 8, 23, 0, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_parse_utc_reads_z_and_offsets_as_utc(text: str, expected: dt.datetime) -> None:
    value = parse_utc(text)
    assert (value, value.tzinfo) == (expected, UTC)


def test_a_bare_time_is_refused_unless_it_is_utc_by_definition() -> None:
    with pytest.raises(ValueError, match="without a time zone"):
        parse_utc("2026-08-23T00:00:00")
    assert parse_utc("2026-08-23T00:00:00", bare_is_utc=True) == dt.datetime(
        2026, 8, 23, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        parse_utc("yesterday")


def test_format_utc_and_display_utc() -> None:
    whole = dt.datetime(2026, 8, 23, 5, 30, tzinfo=IST)
    fraction = dt.datetime(2026, 8, 23, 0, 0, 1, 5, tzinfo=UTC)
    assert format_utc(whole) == "2026-08-23T00:00:00Z"
    assert format_utc(fraction) == "2026-08-23T00:00:01.000005Z"
    assert format_utc(fraction, "seconds") == "2026-08-23T00:00:01Z"
    assert format_utc(whole, "microseconds") == "2026-08-23T00:00:00.000000Z"
    assert display_utc(whole) == "2026-08-23 00:00 UTC"
    assert parse_utc(format_utc(fraction)) == fraction


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_heartbeat_names_a_step_only_once_it_runs_long_then_every_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    beat = Heartbeat(logging.getLogger("t.beat"), "build", after=5, every=30, clock=clock)
    caplog.set_level(logging.INFO, "t.beat")
    beat.tick()  # nothing running yet
    beat.step("running queries/10_stg_commits.sql")
    clock.now += 4.9
    beat.tick()  # a quick step says nothing
    beat.step("running queries/44_int_board_counts.sql")
    for seconds in (5, 20, 34.9, 35):
        clock.now = 104.9 + seconds
        beat.tick()
    beat.step("writing contributions.parquet")
    clock.now += 6
    beat.tick()
    assert [r.getMessage() for r in caplog.records] == [
        "build: running queries/44_int_board_counts.sql (5 s so far)",
        "build: running queries/44_int_board_counts.sql (35 s so far)",
        "build: writing contributions.parquet (6 s so far)",
    ]


def test_heartbeat_thread_stops_with_its_block() -> None:
    with Heartbeat(logging.getLogger("t.beat"), "publish") as beat:
        beat.step("writing public/")
        thread = beat._thread
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive()
