"""`escalations report`: the SLA report of GET /v1/reports/sla, read straight from the store
(`report idr`: cli/report_idr.py; `report intake`, the listening report: cli/intake_report.py).

It reads DATABASE_URL (or the SQLite file under the data dir), so it works while the API is
down; it never migrates or writes.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from cli.report_idr import idr
from config.settings import Settings
from domain.reports import GroupBy, SlaFigures, SlaReport
from store.engine import create_engine_for, session_factory, sqlite_file
from store.reports import sla_report

FIGURES = list(SlaFigures.model_fields)
T = TypeVar("T")


class ReportFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"


def instant(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an RFC 3339 time") from None
    if parsed.tzinfo is None:
        # A report window in someone's local time would silently shift by hours.
        raise typer.BadParameter(f"{value!r} has no offset: add Z or +HH:MM")
    return parsed


report_app = typer.Typer()


def report(
    ctx: typer.Context,
    since: Annotated[datetime | None, typer.Option(
        parser=instant, metavar="TIME",
        help="Escalations created at or after TIME (RFC 3339, e.g. 2026-03-01T00:00:00Z).")] = None,
    until: Annotated[datetime | None, typer.Option(
        parser=instant, metavar="TIME", help="Escalations created before TIME.")] = None,
    team: Annotated[str | None, typer.Option(help="Only this team's escalations.")] = None,
    group_by: Annotated[GroupBy | None, typer.Option(
        case_sensitive=False, help="Also per owner, team, tier, channel or category.")] = None,
    output: Annotated[ReportFormat, typer.Option(
        "--format", case_sensitive=False, help="table or csv.")] = ReportFormat.TABLE,
) -> None:
    """SLA report per priority and per team (and per --group-by): shares within SLA, times to
    first notice, to acknowledge and to resolve, open breaches; then recurring issues."""
    if ctx.invoked_subcommand is not None:
        return  # `report idr`, `report intake`: a group whose bare form is still the SLA report
    check_window(since, until)
    figures = read_store(lambda s: sla_report(s, since=since, until=until, team=team,
                                              group_by=group_by))
    if output is ReportFormat.CSV:
        _write_csv(figures)
    else:
        console = Console(highlight=False)
        console.print(_table(figures))
        if figures.recurring:
            console.print(_recurring(figures))


report_app.callback(invoke_without_command=True)(report)
report_app.command("idr")(idr)


def check_window(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and since >= until:
        Console(stderr=True, highlight=False).print("[red]error:[/] --until must be after --since")
        raise typer.Exit(2)


def read_store(query: Callable[[Session], T]) -> T:
    """One read of the store the service uses; a clear error and exit 1 when there is none."""
    errors = Console(stderr=True, highlight=False)
    url = Settings().resolved_database_url
    database = sqlite_file(url)
    if database is not None and not database.exists():
        # Opening it would create an empty file and then fail on the missing table.
        errors.print(f"[red]error:[/] no store at {escape(str(database))}: set DATABASE_URL "
                     "or ESCALATIONS_DATA_DIR, or start the service once (escalations up)")
        raise typer.Exit(1)
    engine = create_engine_for(url)
    try:
        with session_factory(engine)() as session, session.begin():
            return query(session)
    except SQLAlchemyError as exc:
        # DBAPIError carries the driver's own message in `orig`; other errors have none.
        reason = getattr(exc, "orig", None) or exc
        errors.print(f"[red]error:[/] could not read the store: {escape(str(reason))}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def _rows(figures: SlaReport) -> list[tuple[str, str, SlaFigures]]:
    return [
        ("all", "all", figures.overall),
        *(("priority", row.priority.value, row) for row in figures.by_priority),
        *(("team", row.team, row) for row in figures.by_team),
        *((figures.group_by.value if figures.group_by else "", row.value, row)
          for row in figures.groups),
    ]


def _write_csv(figures: SlaReport) -> None:
    # Raw numbers (shares 0..1, seconds) and empty cells for "nothing measured": for machines.
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["group", "key", *FIGURES])
    for group, key, row in _rows(figures):
        values = [getattr(row, name) for name in FIGURES]
        writer.writerow([group, key, *("" if v is None else v for v in values)])


def _table(figures: SlaReport) -> Table:
    window = ", ".join(
        part for part in (
            f"since {figures.since.isoformat()}" if figures.since else "",
            f"until {figures.until.isoformat()}" if figures.until else "",
            f"team {figures.team}" if figures.team else "",
        ) if part
    )
    table = Table(title=f"SLA report ({window or 'all escalations'})")
    for column in ("", "count", "notice in SLA", "ack in SLA", "resolve in SLA", "notice mean",
                   "ack mean", "ack p90", "resolve mean", "resolve p90", "open breaches"):
        table.add_column(column, justify="left" if not column else "right")
    rows = _rows(figures)
    for n, (group, key, row) in enumerate(rows):
        label = "all" if group == "all" else key
        # A rule between the groups, so priorities and teams read as two blocks.
        last_of_group = n + 1 < len(rows) and rows[n + 1][0] != group
        table.add_row(
            escape(label), str(row.count), _share(row.notice_within_sla),
            _share(row.acknowledge_within_sla), _share(row.resolve_within_sla),
            duration(row.mean_seconds_to_notice), duration(row.mean_seconds_to_acknowledge),
            duration(row.p90_seconds_to_acknowledge),
            duration(row.mean_seconds_to_resolve), duration(row.p90_seconds_to_resolve),
            str(row.open_breaches), end_section=last_of_group,
        )
    return table


def _recurring(figures: SlaReport) -> Table:
    table = Table(title="Recurring issues (escalations per week)")
    for column in ("week of", "category or tag", "escalations"):
        table.add_column(column, justify="right" if column == "escalations" else "left")
    for row in figures.recurring:
        name = escape(row.name) if row.kind == "category" else f"#{escape(row.name)}"
        table.add_row(row.week.isoformat(), name, str(row.count))
    return table


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def duration(seconds: float | None) -> str:
    """Two units at most ("1h 05m", "2d 03h", "45s"): enough to compare, easy to read."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
