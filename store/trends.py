"""What the console's report draws besides the SLA report: breaches by kind and a daily series
(the console folds days into weeks). Both are one aggregate statement each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, Date, case, cast, func, select
from sqlmodel import Session, col

from domain.enums import SlaOutcome
from domain.trends import Breaches, DayFigures
from store.reports import window
from store.tables import EscalationRow


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def breaches_by_kind(session: Session, *, since: datetime | None, until: datetime | None,
                     team: str | None) -> Breaches:
    breached = SlaOutcome.BREACHED.value
    row = session.execute(select(
        _count(col(EscalationRow.sla_notice) == breached),
        _count(col(EscalationRow.sla_acknowledge) == breached),
        _count(col(EscalationRow.sla_resolve) == breached),
    ).where(*window(since, until, team))).one()
    return Breaches(notice=int(row[0]), acknowledge=int(row[1]), resolve=int(row[2]))


def daily_figures(session: Session, *, since: datetime | None, until: datetime | None,
                  team: str | None) -> list[DayFigures]:
    """Per UTC day of creation: escalations, how many breached, resolve SLA met and decided."""
    created = col(EscalationRow.created_at)
    postgres = session.get_bind().dialect.name == "postgresql"
    day = (cast(func.timezone("UTC", created), Date) if postgres else func.date(created))
    resolve = col(EscalationRow.sla_resolve)
    statement = (
        select(
            day.label("day"),
            func.count().label("total"),
            _count(col(EscalationRow.breached).is_(True)).label("breached"),
            _count(resolve == SlaOutcome.MET.value).label("resolve_met"),
            _count(resolve.in_([SlaOutcome.MET.value, SlaOutcome.BREACHED.value]))
            .label("resolve_decided"),
        )
        .where(*window(since, until, team))
        .group_by(day)
        .order_by(day)
    )
    return [_day(row) for row in session.execute(statement)]


def _day(row: Sequence[object]) -> DayFigures:
    value = row[0]
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return DayFigures(day=day, total=int(str(row[1])), breached=int(str(row[2])),
                      resolve_met=int(str(row[3])), resolve_decided=int(str(row[4])))
