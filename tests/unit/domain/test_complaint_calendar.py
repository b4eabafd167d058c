"""The complaint clocks' arithmetic on fixed dates: calendar days in Sydney across daylight
saving, the close of the fifth business day, and one business day across holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from config.policy_files import preset_text
from domain.calendar import add_local_days, close_of_business_day, regulatory_due
from domain.policy import parse_policy
from tests.support.complaints import SYDNEY

CALENDAR = parse_policy(preset_text("rg271")).calendar


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SYDNEY)


@pytest.mark.parametrize(("received", "days", "due", "elapsed_hours"), [
    # Clocks go back an hour on 4 April 2027: thirty days hold 721 hours.
    (at(date(2027, 3, 20), 10), 30, at(date(2027, 4, 19), 10), 30 * 24 + 1),
    # Forward an hour on 3 October 2027: 719 hours.
    (at(date(2027, 9, 20), 10), 30, at(date(2027, 10, 20), 10), 30 * 24 - 1),
    # Forward on 4 October 2026, inside a 21-day credit complaint.
    (at(date(2026, 9, 25), 16, 30), 21, at(date(2026, 10, 16), 16, 30), 21 * 24 - 1),
    # No change in between: exactly thirty times 24 hours.
    (at(date(2026, 11, 2), 9), 30, at(date(2026, 12, 2), 9), 30 * 24),
])
def test_calendar_days_keep_the_local_time_of_receipt(
    received: datetime, days: int, due: datetime, elapsed_hours: int
) -> None:
    landed = add_local_days(received, timedelta(days=days), SYDNEY)
    assert landed == due
    assert landed - received == timedelta(hours=elapsed_hours)


def test_a_wall_time_skipped_by_the_october_change_lands_an_hour_later() -> None:
    # 02:30 on 3 October 2027 does not exist in Sydney; the day before it does.
    landed = add_local_days(at(date(2027, 10, 2), 2, 30), timedelta(days=1), SYDNEY)
    assert landed.astimezone(SYDNEY).time() == time(3, 30)


@pytest.mark.parametrize(("received", "fifth_day"), [
    (at(date(2026, 11, 2), 10), date(2026, 11, 9)),  # Monday: the next Monday
    (at(date(2026, 11, 7), 12), date(2026, 11, 13)),  # Saturday: counted from Monday
    (at(date(2026, 11, 2), 7), date(2026, 11, 9)),  # before opening: still day 0
    (at(date(2026, 12, 22), 15), date(2026, 12, 31)),  # Christmas, Boxing Day (observed)
    (at(date(2027, 3, 24), 11), date(2027, 4, 2)),  # Good Friday to Easter Monday
    (at(date(2026, 4, 20), 11), date(2026, 4, 28)),  # Anzac Day's Monday, 27 April 2026
])
def test_the_fifth_business_day_closes_at_five_in_sydney(
    received: datetime, fifth_day: date
) -> None:
    assert close_of_business_day(received, 5, CALENDAR) == at(fifth_day, 17)


@pytest.mark.parametrize(("received", "due"), [
    (at(date(2027, 3, 25), 17, 30), at(date(2027, 3, 30), 17)),  # Thursday before Easter
    (at(date(2027, 3, 25), 10), at(date(2027, 3, 30), 10)),
    (at(date(2026, 12, 24), 12), at(date(2026, 12, 29), 12)),  # Christmas Eve, Thursday
    (at(date(2026, 11, 3), 9), at(date(2026, 11, 3), 17)),  # opening to close: one day
    (at(date(2026, 11, 3), 11), at(date(2026, 11, 4), 11)),  # an ordinary Tuesday
])
def test_one_business_day_skips_weekends_and_holidays(received: datetime, due: datetime) -> None:
    assert regulatory_due(received, timedelta(hours=8), clock="business",
                          calendar=CALENDAR) == due
