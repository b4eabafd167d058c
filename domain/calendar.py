"""SLA clocks: calendar time, or business time from the policy's calendar (policy.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.policy import Calendar


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    # Placeholder until business hours land: counts calendar time.
    del calendar
    return start + duration


def due_at(
    start: datetime, duration: timedelta, *, clock: str, calendar: Calendar
) -> datetime:
    """The wall-clock instant a duration ends, computed once when the timer is armed."""
    if clock == "business":
        return add_business_time(start, duration, calendar)
    return start + duration
