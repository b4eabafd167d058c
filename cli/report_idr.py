"""`escalations report idr --period 2026H2`: the IDR data file of GET /v1/reports/idr, read
straight from the store with the policy's `[idr]` mapping (ESCALATIONS_POLICY).

Every row is checked against the mapping's rules first: with a problem, nothing is written, each
problem is printed (row, column, reason) and the exit status is 1. A period with no complaint
says so (a nil submission) and writes nothing.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from config.policy_files import load_policy
from config.settings import Settings
from domain.errors import PolicyError
from domain.idr import IdrFile, Period, build_idr, parse_period, to_csv
from domain.policy import Policy
from store.engine import create_engine_for, session_factory, sqlite_file
from store.queries import idr_complaints


class IdrFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def idr(
    period: Annotated[str, typer.Option(
        metavar="YYYYH1|YYYYH2", help="The reporting period, e.g. 2026H2 (1 July-31 December).")],
    output: Annotated[IdrFormat, typer.Option(
        "--format", case_sensitive=False, help="csv (the data file) or json.")] = IdrFormat.CSV,
    to: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the file here instead of standard output.")] = None,
) -> None:
    """The IDR data file for ASIC: one row per complaint received in the period or open at its
    start, checked against the policy's IDR column mapping before it is written."""
    errors = Console(stderr=True, highlight=False)
    settings = Settings()
    try:
        policy = load_policy(settings.escalations_policy)
    except PolicyError as exc:
        errors.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    if policy.idr is None:
        errors.print("[red]error:[/] the policy has no [idr] mapping (see the rg271 preset)")
        raise typer.Exit(1)
    try:
        window = parse_period(period, policy.calendar.zone())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None
    file = _read(settings.resolved_database_url, policy, window, errors)
    if file.problems:
        errors.print(f"[red]error:[/] {len(file.problems)} problems in the {window.label} file; "
                     "nothing was written:")
        for p in file.problems:
            errors.print(f"  row {p.row} ({p.reference}), {p.column}: {p.reason}", markup=False)
        raise typer.Exit(1)
    if file.nil:
        errors.print(f"{window.label}: nil period: no complaint received in it or open at its "
                     "start; lodge a nil submission (no data file)", markup=False)
        return
    text = to_csv(file) if output is IdrFormat.CSV else file.model_dump_json(indent=2) + "\n"
    if to is None:
        sys.stdout.write(text)
    else:
        to.write_text(text, encoding="utf-8", newline="")
        errors.print(f"{window.label}: {len(file.rows)} complaints written to {to}", markup=False)


def _read(url: str, policy: Policy, period: Period, errors: Console) -> IdrFile:
    database = sqlite_file(url)
    if database is not None and not database.exists():
        errors.print(f"[red]error:[/] no store at {escape(str(database))}: set DATABASE_URL "
                     "or ESCALATIONS_DATA_DIR")
        raise typer.Exit(1)
    engine = create_engine_for(url)
    try:
        with session_factory(engine)() as session, session.begin():
            views = idr_complaints(session, starts=period.starts, ends=period.ends)
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        errors.print(f"[red]error:[/] could not read the store: {escape(str(reason))}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    return build_idr(views, policy, period)
