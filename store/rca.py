"""RCA tasks: copied from the escalation view on every write, listed as an inbox."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from domain.enums import Priority, RcaKind, RcaStatus
from domain.models import Customer, EscalationView
from store import statements
from store.schemas import RcaTaskEscalation, RcaTaskItem
from store.tables import RcaTaskRow


def upsert_rca_tasks(session: Session, view: EscalationView) -> None:
    rows = [RcaTaskRow.values_from_task(view, task)
            for task in (view.rca.internal, view.rca.customer) if task is not None]
    if rows:
        session.exec(statements.upsert_rca_task(statements.dialect_of(session)), params=rows)


def list_rca_tasks(
    session: Session,
    *,
    status: RcaStatus | None,
    kind: RcaKind | None,
    assignee: str | None,
    kinds: Collection[RcaKind],
    now: datetime,
    assignees: Collection[str] | None = None,
) -> list[RcaTaskItem]:
    """The tasks of the visible `kinds` (by role), soonest due first.

    An open task past its due time is overdue even before the workflow's timer has said so
    (the worker may be down): it is listed, and filtered, as overdue, never as open.
    `assignees`, when given, keeps the tasks assigned to any of those names (a person's key
    name and its aliases).
    """
    visible = {k for k in kinds if kind is None or k is kind}
    if not visible:
        return []
    statement = select(RcaTaskRow).where(col(RcaTaskRow.kind).in_(sorted(k.value for k in visible)))
    if assignee is not None:
        statement = statement.where(col(RcaTaskRow.assignee) == assignee)
    if assignees is not None:
        statement = statement.where(col(RcaTaskRow.assignee).in_(sorted(set(assignees))))
    if status is not None:
        statement = statement.where(_status_is(status, now))
    statement = statement.order_by(col(RcaTaskRow.due_at), col(RcaTaskRow.id))
    return [_item(row, now) for row in session.exec(statement)]


def _status_is(status: RcaStatus, now: datetime) -> ColumnElement[bool]:
    stored = col(RcaTaskRow.status)
    past_due = and_(stored == RcaStatus.OPEN.value, col(RcaTaskRow.due_at) < now)
    match status:
        case RcaStatus.OVERDUE:
            return or_(stored == RcaStatus.OVERDUE.value, past_due)
        case RcaStatus.OPEN:
            return and_(stored == RcaStatus.OPEN.value, col(RcaTaskRow.due_at) >= now)
        case RcaStatus.SUBMITTED:
            return stored == RcaStatus.SUBMITTED.value


def _item(row: RcaTaskRow, now: datetime) -> RcaTaskItem:
    status = RcaStatus(row.status)
    if status is RcaStatus.OPEN and row.due_at < now:
        status = RcaStatus.OVERDUE
    customer = Customer.model_validate_json(row.customer_json) if row.customer_json else None
    return RcaTaskItem(
        id=row.id,
        escalation_id=row.escalation_id,
        kind=RcaKind(row.kind),
        assignee=row.assignee,
        due_at=row.due_at,
        status=status,
        created_at=row.created_at,
        submitted_at=row.submitted_at,
        escalation=RcaTaskEscalation(
            id=row.escalation_id,
            title=row.escalation_title,
            priority=Priority(row.escalation_priority),
            customer=customer,
        ),
    )
