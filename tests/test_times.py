"""UTC times as text: one reader, one writer."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.times import display_utc, format_utc, parse_utc

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
