"""Who has an escalation's console page open: renewed by each open page, read by the others."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from store import statements
from store.schemas import Presence
from store.tables import PresenceRow


def touch_presence(
    session: Session, *, escalation_id: str, person: str, activity: str, at: datetime,
    since: datetime,
) -> list[Presence]:
    """Record `person` on the page now, forget rows older than `since`, and return the others
    seen since then, earliest first.

    The write comes first: SQLite then takes its write lock before reading anything, so the
    transaction never has to upgrade a read snapshot that another writer made stale."""
    session.exec(statements.touch_presence(statements.dialect_of(session)),
                 params={"escalation_id": escalation_id, "person": person,
                         "activity": activity, "seen_at": at})
    session.exec(delete(PresenceRow).where(col(PresenceRow.escalation_id) == escalation_id,
                                           col(PresenceRow.seen_at) < since))
    rows = session.exec(
        select(PresenceRow)
        .where(col(PresenceRow.escalation_id) == escalation_id,
               col(PresenceRow.person) != person)
        .order_by(col(PresenceRow.seen_at), col(PresenceRow.person))
    )
    return [Presence(person=r.person, activity=r.activity, seen_at=r.seen_at) for r in rows]
