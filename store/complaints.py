"""The complaints of an IDR reporting period, for domain.idr to map (one statement)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from domain.enums import Status
from domain.models import EscalationView
from store.tables import EscalationRow


def idr_complaints(session: Session, *, starts: datetime, ends: datetime) -> list[EscalationView]:
    """Complaints received in [starts, ends), or received before and still open at `starts`
    (Instrument 2022/205), oldest first. A cancelled escalation was no complaint to report."""
    received = col(EscalationRow.complaint_received_at)
    closed = col(EscalationRow.complaint_closed_at)
    statement = (
        select(EscalationRow)
        .where(
            received.is_not(None),
            received < ends,
            or_(received >= starts, closed.is_(None), closed >= starts),
            col(EscalationRow.status) != Status.CANCELLED.value,
        )
        .order_by(received, col(EscalationRow.id))
    )
    return [row.to_view() for row in session.exec(statement)]
