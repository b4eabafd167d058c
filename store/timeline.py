"""Timeline entries, unique on (escalation_id, seq) so a retried write adds nothing."""

from __future__ import annotations

from sqlmodel import Session, col, select

from domain.models import TimelineEntry
from store.tables import TimelineRow
from store.upsert import column_values, insert_for


def append_timeline(
    session: Session, escalation_id: str, entries: list[TimelineEntry]
) -> set[int]:
    """The seqs this call inserted: none for entries already stored (a retried activity)."""
    if not entries:
        return set()
    rows = [column_values(TimelineRow.from_entry(escalation_id, entry)) for entry in entries]
    statement = (
        insert_for(session, TimelineRow)
        .values(rows)
        .on_conflict_do_nothing(
            index_elements=[col(TimelineRow.escalation_id), col(TimelineRow.seq)]
        )
        .returning(col(TimelineRow.seq))
    )
    return {row[0] for row in session.exec(statement)}


def get_timeline(session: Session, escalation_id: str) -> list[TimelineEntry]:
    statement = (
        select(TimelineRow)
        .where(col(TimelineRow.escalation_id) == escalation_id)
        .order_by(col(TimelineRow.seq))
    )
    return [row.to_entry() for row in session.exec(statement)]
