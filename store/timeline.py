"""Timeline entries, unique on (escalation_id, seq) so a retried write adds nothing."""

from __future__ import annotations

from sqlmodel import Session, col, select

from domain.models import TimelineEntry
from store import statements
from store.tables import TimelineRow


def append_timeline(
    session: Session, escalation_id: str, entries: list[TimelineEntry]
) -> set[int]:
    """The seqs this call inserted: none for entries already stored (a retried activity)."""
    if not entries:
        return set()
    rows = [TimelineRow.values_from_entry(escalation_id, entry) for entry in entries]
    # Many rows with RETURNING go out as one multi-row INSERT (SQLAlchemy's insertmanyvalues).
    statement = statements.append_timeline(statements.dialect_of(session))
    return {row[0] for row in session.exec(statement, params=rows)}


def get_timeline(session: Session, escalation_id: str) -> list[TimelineEntry]:
    statement = (
        select(TimelineRow)
        .where(col(TimelineRow.escalation_id) == escalation_id)
        .order_by(col(TimelineRow.seq))
    )
    return [row.to_entry() for row in session.exec(statement)]
