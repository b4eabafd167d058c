"""SLA clocks: ISO 8601 durations, and the instant they end in calendar or business time.

Business time is real elapsed time that falls inside the calendar's opening hours, on its
workdays, outside its holidays, in its own time zone. A duration is counted literally: with
09:00-17:00 hours, "PT8H" is one business day and "P1D" (24 hours) is three. The windows are
built from local wall-clock times and measured in UTC, so the day a clock changes for daylight
saving counts the hours that really pass (a 00:00-24:00 window lasts 23 or 25 hours that day).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$"
)
_LONGEST = 3_650 * 86_400  # seconds; also keeps timedelta and date arithmetic from overflowing
_DAY_US = 86_400_000_000
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_duration(value: object) -> object:
    """ISO 8601 durations only: pydantic alone would also take bare numbers as seconds."""
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a duration is an ISO 8601 string such as 'PT1H', got {value!r}")
    match = _DURATION.match(value.strip().upper())
    if match is None:
        if re.match(r"^P(\d+[YM])", value.strip().upper()):
            raise ValueError(f"{value!r}: years and months have no fixed length; use days (P30D)")
        raise ValueError(f"not an ISO 8601 duration (e.g. PT15M, PT4H, P3D): {value!r}")
    unit = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
    seconds = sum(
        (Decimal(v.replace(",", ".")) * unit[k] for k, v in match.groupdict().items() if v),
        Decimal(0),
    )
    if seconds > _LONGEST:
        raise ValueError(f"{value!r} is longer than ten years")
    return timedelta(microseconds=int(seconds * 1_000_000))


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


PositiveDuration = Annotated[timedelta, BeforeValidator(_iso_duration), AfterValidator(_positive)]


def iso_duration(value: timedelta) -> str:
    """A duration as a person writes it in the policy file: P30D, PT40H, PT1H30M."""
    micros = value // timedelta(microseconds=1)
    if micros >= 2 * _DAY_US and micros % _DAY_US == 0:
        return f"P{micros // _DAY_US}D"  # up to a day reads better in hours (PT24H)
    sign, micros = ("-", -micros) if micros < 0 else ("", micros)
    hours, rest = divmod(micros, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds = Decimal(rest) / 1_000_000
    text = "".join(
        f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n
    )
    return f"{sign}PT{text or '0S'}"


def _iso_date(value: object) -> object:
    # pydantic would also take an integer as a Unix timestamp; a holiday is written as a date.
    if isinstance(value, datetime):
        raise ValueError("a holiday is a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a real date: {value!r}") from None


Holiday = Annotated[date, BeforeValidator(_iso_date)]


def _minutes(hours: str) -> tuple[int, int]:
    """Opening and closing minute of the day; closing may be 24:00 (midnight after)."""
    match = _HOURS.match(hours)
    if match is None:
        raise ValueError(f"hours must look like '09:00-17:00', got {hours!r}")
    oh, om, ch, cm = (int(g) for g in match.groups())
    if oh > 23 or om > 59 or cm > 59 or ch > 24 or (ch == 24 and cm != 0):
        raise ValueError(f"not a time of day in {hours!r}")
    opening, closing = oh * 60 + om, ch * 60 + cm
    if opening >= closing:
        raise ValueError(f"opening must be before closing in {hours!r}")
    return opening, closing


class Calendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "UTC"
    workdays: Annotated[list[Weekday], Field(min_length=1, max_length=7)] = [
        "mon", "tue", "wed", "thu", "fri"
    ]
    hours: str = "09:00-17:00"
    holidays: Annotated[list[Holiday], Field(max_length=2_000)] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("workdays")
    @classmethod
    def _distinct_days(cls, value: list[Weekday]) -> list[Weekday]:
        if len(set(value)) != len(value):
            raise ValueError("a workday is listed twice")
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: str) -> str:
        _minutes(value)
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_business_day(self, day: date) -> bool:
        return WEEKDAYS[day.weekday()] in self.workdays and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """That day's opening hours as aware UTC instants."""
        opening, closing = _minutes(self.hours)
        zone = self.zone()

        def instant(minutes: int) -> datetime:
            extra_days, minute = divmod(minutes, 24 * 60)
            wall = time(minute // 60, minute % 60)
            local = datetime.combine(day + timedelta(days=extra_days), wall)
            # A wall time skipped or repeated by a clock change resolves with fold=0: stable.
            return local.replace(tzinfo=zone).astimezone(UTC)

        return instant(opening), instant(closing)


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The aware-UTC instant when `duration` of business time has passed since `start`."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    cursor = start.astimezone(UTC)
    remaining = duration
    if remaining <= timedelta(0):
        return cursor
    day = cursor.astimezone(calendar.zone()).date()
    # Workdays are never empty and holidays finite, so this ends; the cap only turns a
    # pathological calendar (one minute a day for ten years) into an error, not a date overflow.
    last = day + timedelta(days=100 * 366)
    while day < last:
        if calendar.is_business_day(day):
            opens, closes = calendar.window(day)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                cursor = closes
        day += timedelta(days=1)
    raise ValueError(f"{iso_duration(duration)} of business time ends more than 100 years out")


def business_time_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """The business time that passes from `start` to `end` (zero when end is not later)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    total = timedelta(0)
    day = start.astimezone(calendar.zone()).date()
    last = end.astimezone(calendar.zone()).date()
    while day <= last:
        if calendar.is_business_day(day):
            opens, closes = calendar.window(day)
            begin, finish = max(start, opens), min(end, closes)
            if begin < finish:
                total += finish - begin
        day += timedelta(days=1)
    return total


def elapsed(start: datetime, end: datetime, *, clock: str, calendar: Calendar) -> timedelta:
    """The time a clock counts from `start` to `end`: business time or plain time."""
    if clock == "business":
        return business_time_between(start, end, calendar)
    return max(end - start, timedelta(0))


def due_at(
    start: datetime, duration: timedelta, *, clock: str, calendar: Calendar
) -> datetime:
    """The wall-clock instant a duration ends, computed once when the timer is armed."""
    if clock == "business":
        return add_business_time(start, duration, calendar)
    return start + duration


def add_local_days(start: datetime, duration: timedelta, zone: ZoneInfo) -> datetime:
    """`duration` with its days counted as local calendar days in `zone` (RFC 5545's nominal
    days): 30 days after 10:00 on the day of receipt is 10:00 local thirty dates later, whether
    or not a daylight-saving change lies between; the rest of the duration is exact time."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    days = timedelta(days=duration.days)
    wall = start.astimezone(zone).replace(tzinfo=None) + days
    # A wall time skipped by a clock change resolves with fold=0 (the offset before it): stable.
    return wall.replace(tzinfo=zone).astimezone(UTC) + (duration - days)


def close_of_business_day(start: datetime, business_days: int, calendar: Calendar) -> datetime:
    """The closing instant of the `business_days`-th business day after the local date of
    `start` (RG 271.72's "by the end of the fifth business day after receipt")."""
    day = start.astimezone(calendar.zone()).date()
    counted = 0
    last = day + timedelta(days=100 * 366)
    while counted < business_days:
        day += timedelta(days=1)
        if day >= last:
            raise ValueError(f"no {business_days} business days within 100 years")
        if calendar.is_business_day(day):
            counted += 1
    return calendar.window(day)[1]


def regulatory_due(
    start: datetime, duration: timedelta, *, clock: str, calendar: Calendar
) -> datetime:
    """A regulatory deadline: business time, or calendar days in the calendar's time zone."""
    if clock == "business":
        return add_business_time(start, duration, calendar)
    return add_local_days(start, duration, calendar.zone())
