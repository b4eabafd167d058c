"""The listening report on the console's report page: GET /v1/reports/intake's figures as
charts (posts per channel, per category and per day, hot against cold)."""

from __future__ import annotations

from collections import Counter

from markupsafe import Markup

from api.console.charts import Series, bar_chart, whole
from domain.enums import Temperature
from domain.intake.reports import IntakeReport

# A window of 12 weeks has 2,016 hours: drawn per day, and only the latest days, the chart
# stays readable; the table and the API keep every hour.
MAX_DAYS = 31
# (dimension, name, temperature) -> posts
Counts = Counter[tuple[str, str, str]]


def listening_charts(report: IntakeReport) -> list[Markup]:
    """Nothing to draw without posts: the page says so in words instead."""
    if not report.posts:
        return []
    counts: Counts = Counter()
    for row in report.by_hour:
        temperature = row.temperature.value
        counts[("channel", row.channel.value, temperature)] += row.posts
        counts[("category", row.category.value.replace("_", " "), temperature)] += row.posts
        counts[("day", row.hour.date().isoformat(), temperature)] += row.posts
    return [
        _chart("Posts by channel", counts, "channel"),
        _chart("Posts by category", counts, "category"),
        _chart(f"Posts per day (the last {MAX_DAYS} with posts)", counts, "day",
               keep=MAX_DAYS),
    ]


def _chart(title: str, counts: Counts, dimension: str, *, keep: int | None = None) -> Markup:
    names = sorted({name for (kind, name, _) in counts if kind == dimension})
    if keep is not None:
        names = names[-keep:]
    return bar_chart(title=title, categories=names, show=whole, series=[
        Series(t.value, [float(counts[(dimension, name, t.value)]) for name in names])
        for t in (Temperature.HOT, Temperature.COLD)
    ])
