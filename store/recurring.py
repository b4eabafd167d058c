"""Recurring issues for the SLA report: escalations per ISO week by category and by tag, in
SQL on both dialects (tags live in the stored view's JSON: SQLite's json_each, PostgreSQL's
jsonb_array_elements_text)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Date, cast, func, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col

from domain.reports import RecurringCount
from store.tables import EscalationRow


def recurring_issues(session: Session, conditions: Sequence[ColumnElement[bool]]
                     ) -> list[RecurringCount]:
    """Oldest week first; within a week, categories before tags, most frequent first."""
    postgres = session.get_bind().dialect.name == "postgresql"
    week = _week(postgres)
    by_category = (select(week.label("week"), col(EscalationRow.category).label("name"),
                          func.count().label("n"))
                   .where(*conditions).group_by(week, col(EscalationRow.category)))
    tag = _tags(postgres)
    by_tag = (select(week.label("week"), tag.c.value.label("name"), func.count().label("n"))
              .select_from(EscalationRow).join(tag, true())
              .where(*conditions).group_by(week, tag.c.value))
    found = [*_counts(session, by_category, "category"), *_counts(session, by_tag, "tag")]
    found.sort(key=lambda c: (c.week, c.kind != "category", -c.count, c.name))
    return found


def _week(postgres: bool) -> ColumnElement[Any]:
    """The Monday (UTC) of the escalation's creation week."""
    created = col(EscalationRow.created_at)
    if postgres:
        return cast(func.date_trunc("week", func.timezone("UTC", created)), Date)
    # 'weekday 0' moves to the coming Sunday (or stays on one); six days back is its Monday.
    return func.date(created, "weekday 0", "-6 days")


def _tags(postgres: bool) -> Any:
    view = col(EscalationRow.view_json)
    if postgres:
        return func.jsonb_array_elements_text(cast(view, JSONB)["tags"]).table_valued("value")
    return func.json_each(view, "$.tags").table_valued("value")


def _counts(session: Session, statement: Any, kind: Literal["category", "tag"]
            ) -> list[RecurringCount]:
    return [RecurringCount(week=_day(row.week), kind=kind, name=str(row.name),
                           count=int(row.n))
            for row in session.execute(statement)]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
