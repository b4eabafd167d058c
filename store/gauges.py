"""Counts for the metrics endpoint: what is open now, read from the projection (the truth shared
by every process), not kept in any one process's memory."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session, col

from domain.enums import Status
from store.tables import EscalationRow


def open_by_stage_and_priority(session: Session) -> list[tuple[str, str, int]]:
    """(stage, priority, count) of every open escalation; served by ix_escalations_status_stage."""
    statement = (
        select(col(EscalationRow.stage), col(EscalationRow.priority), func.count())
        .where(col(EscalationRow.status) == Status.OPEN.value)
        .group_by(col(EscalationRow.stage), col(EscalationRow.priority))
    )
    return [(stage, priority, int(n)) for stage, priority, n in session.execute(statement)]
