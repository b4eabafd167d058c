"""`escalations report intake`: the listening report of GET /v1/reports/intake, from the store."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table

from cli.report import check_window, duration, instant, read_store
from domain.intake.reports import IntakeReport
from store.queries import intake_report


class IntakeFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"  # the posts per hour, one row per hour, channel, category and temperature
    JSON = "json"  # everything, as GET /v1/reports/intake answers


def intake(
    since: Annotated[datetime | None, typer.Option(
        parser=instant, metavar="TIME",
        help="Posts made at or after TIME (RFC 3339, e.g. 2026-03-01T00:00:00Z).")] = None,
    until: Annotated[datetime | None, typer.Option(
        parser=instant, metavar="TIME", help="Posts made before TIME.")] = None,
    output: Annotated[IntakeFormat, typer.Option(
        "--format", case_sensitive=False,
        help="table, csv (posts per hour) or json (all of it).")] = IntakeFormat.TABLE,
) -> None:
    """Listening report: posts per hour by channel, category and temperature; the urgent share;
    escalated, attached and recorded; time from post to escalation."""
    check_window(since, until)
    figures = read_store(lambda s: intake_report(s, since=since, until=until))
    if output is IntakeFormat.JSON:
        sys.stdout.write(figures.model_dump_json(indent=2) + "\n")
    elif output is IntakeFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["hour", "channel", "category", "temperature", "posts"])
        for row in figures.by_hour:
            writer.writerow([row.hour.isoformat(), row.channel.value, row.category.value,
                             row.temperature.value, row.posts])
    else:
        Console(highlight=False).print(Group(_totals(figures), _hours(figures)))


def _totals(figures: IntakeReport) -> Table:
    window = ", ".join(part for part in (
        f"since {figures.since.isoformat()}" if figures.since else "",
        f"until {figures.until.isoformat()}" if figures.until else "") if part)
    table = Table(title=f"Listening report ({window or 'all posts'})")
    for column in ("posts", "hot", "urgent", "escalated", "attached", "recorded", "unsettled",
                   "spikes", "to escalation (mean)", "(p90)"):
        table.add_column(column, justify="right")
    share = "" if figures.urgent_share is None else f" ({figures.urgent_share:.0%})"
    to = figures.to_escalation
    table.add_row(str(figures.posts), str(figures.hot), f"{figures.urgent}{share}",
                  str(figures.escalated), str(figures.attached), str(figures.recorded),
                  str(figures.unsettled), str(figures.spikes_opened),
                  duration(to.mean_seconds), duration(to.p90_seconds))
    return table


def _hours(figures: IntakeReport) -> Table:
    table = Table(title="Posts per hour (UTC)")
    for column in ("hour", "channel", "category", "temperature", "posts"):
        table.add_column(column, justify="right" if column == "posts" else "left")
    for row in figures.by_hour:
        table.add_row(f"{row.hour:%Y-%m-%d %H:00}", escape(row.channel.value),
                      escape(row.category.value), row.temperature.value, str(row.posts))
    return table
