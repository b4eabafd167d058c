"""The escalation projection: version-guarded writes, newest-first reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from domain.intake.sources import EscalationBrief
from domain.models import EscalationView
from store import statements
from store.cursor import decode_cursor, encode_cursor
from store.rca import upsert_rca_tasks
from store.schemas import EscalationFilters
from store.tables import EscalationRow


def upsert_escalation(
    session: Session, view: EscalationView, *, request_hash: str | None = None
) -> bool:
    """Write the projection unless a newer version is already stored; True when written.

    Activities may be retried or overtaken, so an older view arriving late must not win.
    The guard sits in the statement itself: two writers never both read-then-write.
    """
    values = EscalationRow.values_from_view(view)
    keep = request_hash is None  # keep what the first write stored
    if keep:
        del values["request_hash"]
    else:
        values["request_hash"] = request_hash
    statement = statements.upsert_escalation(statements.dialect_of(session),
                                             keep_request_hash=keep)
    written = session.exec(statement, params=values).first() is not None
    if written:
        upsert_rca_tasks(session, view)
    return written


def get_escalation(session: Session, escalation_id: str) -> EscalationView | None:
    row = session.get(EscalationRow, escalation_id)
    return row.to_view() if row else None


def list_escalations(
    session: Session, filters: EscalationFilters, *, limit: int, cursor: str | None
) -> tuple[list[EscalationView], str | None]:
    """One page, newest first, and the cursor of the next page (None on the last one).

    Keyset pagination: rows created while a client pages sort before its cursor, so later
    pages neither repeat nor skip anything.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    statement = select(EscalationRow).where(*filter_conditions(filters))
    if cursor is not None:
        created_at, escalation_id = decode_cursor(cursor)
        statement = statement.where(
            or_(
                col(EscalationRow.created_at) < created_at,
                and_(
                    col(EscalationRow.created_at) == created_at,
                    col(EscalationRow.id) < escalation_id,
                ),
            )
        )
    statement = statement.order_by(
        col(EscalationRow.created_at).desc(), col(EscalationRow.id).desc()
    ).limit(limit + 1)
    rows = list(session.exec(statement))
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if len(rows) > limit else None
    return [row.to_view() for row in page], next_cursor


def count_prior_escalations(
    session: Session, *, customer_id: str, since: datetime, exclude_id: str
) -> int:
    """Escalations of the customer created at or after `since`, other than `exclude_id`."""
    statement = (
        select(func.count())
        .select_from(EscalationRow)
        .where(
            col(EscalationRow.customer_id) == customer_id,
            col(EscalationRow.created_at) >= since,
            col(EscalationRow.id) != exclude_id,
        )
    )
    return session.exec(statement).one()


def count_prior_escalations_by_customer(
    session: Session, customer_ids: list[str], *, since: datetime
) -> dict[str, int]:
    """`count_prior_escalations` for many customers in one statement (a batch of posts)."""
    if not customer_ids:
        return {}
    statement = (
        select(EscalationRow.customer_id, func.count())
        .where(col(EscalationRow.customer_id).in_(sorted(set(customer_ids))),
               col(EscalationRow.created_at) >= since)
        .group_by(col(EscalationRow.customer_id))
    )
    return {customer: count for customer, count in session.exec(statement) if customer}


def briefs(session: Session, escalation_ids: list[str]) -> list[EscalationBrief]:
    """The stored escalations among `escalation_ids`, newest first, from their columns."""
    if not escalation_ids:
        return []
    e = statements.ESCALATIONS.c
    statement = (select_rows(e.id, e.title, e.category, e.status, e.stage, e.priority,
                             e.created_at)
                 .where(e.id.in_(sorted(set(escalation_ids)))).order_by(e.created_at.desc()))
    return [EscalationBrief.model_validate(row._asdict())
            for row in session.execute(statement)]


def ids_of_customers(session: Session, customer_ids: list[str], *, limit: int
                     ) -> dict[str, list[str]]:
    """Each customer's newest `limit` escalation ids (by the customer the escalation names)."""
    if not customer_ids:
        return {}
    statement = (select(EscalationRow.customer_id, EscalationRow.id)
                 .where(col(EscalationRow.customer_id).in_(sorted(set(customer_ids))))
                 .order_by(col(EscalationRow.created_at).desc()))
    found: dict[str, list[str]] = {}
    for customer, escalation_id in session.exec(statement):
        if customer is not None and len(found.setdefault(customer, [])) < limit:
            found[customer].append(escalation_id)
    return found


def filter_conditions(filters: EscalationFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status is not None:
        conditions.append(col(EscalationRow.status) == filters.status.value)
    if filters.stage is not None:
        conditions.append(col(EscalationRow.stage) == filters.stage.value)
    if filters.priority is not None:
        conditions.append(col(EscalationRow.priority) == filters.priority.value)
    if filters.tier is not None:
        conditions.append(col(EscalationRow.tier) == filters.tier)
    if filters.team is not None:
        conditions.append(col(EscalationRow.team) == filters.team)
    if filters.customer_id is not None:
        conditions.append(col(EscalationRow.customer_id) == filters.customer_id)
    if filters.breached is not None:
        conditions.append(col(EscalationRow.breached) == filters.breached)
    if filters.paused is not None:
        conditions.append(col(EscalationRow.paused) == filters.paused)
    if filters.q is not None:
        conditions.append(col(EscalationRow.title).icontains(filters.q, autoescape=True))
    return conditions


def get_request_hash(session: Session, escalation_id: str) -> str | None:
    """The fingerprint of the request that created the escalation, if it was recorded."""
    row = session.get(EscalationRow, escalation_id)
    return row.request_hash if row else None
