"""Related incidents/records closed when an escalation reaches the close stage."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from store import statements


def close_records(
    session: Session, *, escalation_id: str, records: list[str], at: datetime
) -> list[str]:
    """Record each as closed (again: a no-op) and return them once each, in the given order.

    A retry returns the same list, so the timeline entry that names them does not depend on
    which attempt did the work; the first closing time is kept.
    """
    closed = list(dict.fromkeys(records))
    if closed:
        rows = [{"escalation_id": escalation_id, "record": r, "closed_at": at} for r in closed]
        session.exec(statements.close_record(statements.dialect_of(session)), params=rows)
    return closed
