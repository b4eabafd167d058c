"""The report's trend and breach figures (the console's Reports page), folded from per-day
counts the store aggregates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from pydantic import BaseModel


class Breaches(BaseModel):
    """Escalations whose clock of each kind was breached."""

    notice: int
    acknowledge: int
    resolve: int


class DayFigures(BaseModel):
    day: date
    total: int
    breached: int
    resolve_met: int
    resolve_decided: int


class WeekFigures(BaseModel):
    week: date  # its Monday
    total: int
    breached: int
    resolve_within_sla: float | None  # met / decided; None with nothing decided


def weekly(days: Iterable[DayFigures]) -> list[WeekFigures]:
    """Days folded into ISO weeks (Monday first), oldest first; weeks with nothing are absent."""
    weeks: dict[date, list[DayFigures]] = {}
    for day in days:
        monday = day.day - timedelta(days=day.day.weekday())
        weeks.setdefault(monday, []).append(day)
    found = []
    for monday in sorted(weeks):
        group = weeks[monday]
        decided = sum(d.resolve_decided for d in group)
        met = sum(d.resolve_met for d in group)
        found.append(WeekFigures(week=monday, total=sum(d.total for d in group),
                                 breached=sum(d.breached for d in group),
                                 resolve_within_sla=met / decided if decided else None))
    return found
