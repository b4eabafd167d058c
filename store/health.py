"""Whether the store can serve: the connection answers and the schema is there."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def schema_ready(session: Session) -> bool:
    # The projection table, not just the connection: an unmigrated database cannot serve lists.
    session.connection().execute(text("SELECT 1 FROM escalations LIMIT 1"))
    return True
