"""Business-time SLA clocks: weekends, holidays, clock changes, starts outside hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.policy_files import preset_text
from domain.calendar import WEEKDAYS, Calendar, add_business_time, due_at
from domain.policy import parse_policy

OFFICE_UTC = Calendar(timezone="UTC", holidays=[date(2025, 12, 25), date(2025, 12, 26)])
BERLIN = Calendar(timezone="Europe/Berlin")
SYDNEY = Calendar(timezone="Australia/Sydney")
ALL_WEEK = list(WEEKDAYS)
BERLIN_24_7 = Calendar(timezone="Europe/Berlin", workdays=ALL_WEEK, hours="00:00-24:00")
SYDNEY_24_7 = Calendar(timezone="Australia/Sydney", workdays=ALL_WEEK, hours="00:00-24:00")
RG271 = parse_policy(preset_text("rg271")).calendar

BERLIN_TZ, SYDNEY_TZ = ZoneInfo("Europe/Berlin"), ZoneInfo("Australia/Sydney")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN_TZ)


def sydney(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SYDNEY_TZ)


H = timedelta(hours=1)

CASES = [
    # name, calendar, start, duration, due (any aware instant; compared as instants)
    ("inside hours", OFFICE_UTC, utc(2025, 6, 2, 10), 2 * H, utc(2025, 6, 2, 12)),
    ("before opening", OFFICE_UTC, utc(2025, 6, 2, 7), H, utc(2025, 6, 2, 10)),
    ("after closing", OFFICE_UTC, utc(2025, 6, 2, 18), H, utc(2025, 6, 3, 10)),
    ("ends exactly at closing", OFFICE_UTC, utc(2025, 6, 2, 9), 8 * H, utc(2025, 6, 2, 17)),
    ("crosses closing", OFFICE_UTC, utc(2025, 6, 2, 16, 59), timedelta(minutes=2),
     utc(2025, 6, 3, 9, 1)),
    ("over the weekend", OFFICE_UTC, utc(2025, 6, 6, 16), 2 * H, utc(2025, 6, 9, 10)),
    ("starts on a Saturday", OFFICE_UTC, utc(2025, 6, 7, 12), H, utc(2025, 6, 9, 10)),
    ("several days (P1D is three)", OFFICE_UTC, utc(2025, 6, 2, 9), 24 * H,
     utc(2025, 6, 4, 17)),
    ("a working week", OFFICE_UTC, utc(2025, 6, 2, 9), 40 * H, utc(2025, 6, 6, 17)),
    ("two weeks and a bit", OFFICE_UTC, utc(2025, 6, 2, 9), 81 * H, utc(2025, 6, 16, 10)),
    ("over holidays and a weekend", OFFICE_UTC, utc(2025, 12, 24, 16), 2 * H,
     utc(2025, 12, 29, 10)),
    ("starts on a holiday", OFFICE_UTC, utc(2025, 12, 25, 10), H / 2,
     utc(2025, 12, 29, 9, 30)),
    ("start given in another offset", OFFICE_UTC,
     datetime(2025, 6, 2, 12, tzinfo=ZoneInfo("Europe/Paris")), H, utc(2025, 6, 2, 11)),
    ("Berlin: weekend when clocks go forward", BERLIN, berlin(2025, 3, 28, 16), 2 * H,
     berlin(2025, 3, 31, 10)),
    ("Berlin: the 23-hour day", BERLIN_24_7, berlin(2025, 3, 30, 0), 23 * H,
     berlin(2025, 3, 31, 0)),
    ("Berlin: the 25-hour day", BERLIN_24_7, berlin(2025, 10, 26, 0), 24 * H,
     berlin(2025, 10, 26, 23)),
    ("Sydney: weekend when clocks go back", SYDNEY, sydney(2025, 4, 4, 16), 2 * H,
     sydney(2025, 4, 7, 10)),
    ("Sydney: the 25-hour day", SYDNEY_24_7, sydney(2025, 4, 6, 0), 24 * H,
     sydney(2025, 4, 6, 23)),
    ("Sydney: weekend when clocks go forward", SYDNEY, sydney(2025, 10, 3, 16, 30), H,
     sydney(2025, 10, 6, 9, 30)),
    ("Sydney: Monday morning is Sunday in UTC", SYDNEY, sydney(2025, 6, 2, 8), H,
     sydney(2025, 6, 2, 10)),
    ("rg271 preset: Easter and the clock change", RG271, sydney(2026, 4, 2, 16), 2 * H,
     sydney(2026, 4, 7, 10)),
]


@pytest.mark.parametrize(("calendar", "start", "duration", "due"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_add_business_time(
    calendar: Calendar, start: datetime, duration: timedelta, due: datetime
) -> None:
    result = add_business_time(start, duration, calendar)
    assert result == due
    assert result.tzinfo is UTC


def test_sydney_offsets_really_differ_across_the_change() -> None:
    # Guards the cases above: they mean something only if the offset changed in between.
    assert sydney(2025, 4, 4, 16).utcoffset() == 11 * H
    assert sydney(2025, 4, 7, 10).utcoffset() == 10 * H


@pytest.mark.parametrize(
    ("clock", "due"),
    [
        ("calendar", utc(2025, 6, 7, 12)),
        ("business", utc(2025, 6, 11, 12)),  # Fri 16-17, Mon 8h, Tue 8h, Wed 09-12
    ],
)
def test_due_at_follows_the_clock(clock: str, due: datetime) -> None:
    assert due_at(utc(2025, 6, 6, 16), 20 * H, clock=clock, calendar=OFFICE_UTC) == due


def test_zero_duration_is_the_start() -> None:
    assert add_business_time(utc(2025, 6, 7, 12), timedelta(0), OFFICE_UTC) == utc(2025, 6, 7, 12)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(datetime(2025, 6, 2, 10), H, OFFICE_UTC)  # noqa: DTZ001


def test_a_calendar_that_never_reaches_the_end_is_an_error_not_an_overflow() -> None:
    minute_a_day = Calendar(hours="00:00-00:01")
    with pytest.raises(ValueError, match="more than 100 years"):
        add_business_time(utc(2025, 1, 1), timedelta(days=3_650), minute_a_day)
