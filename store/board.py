"""The console's board: escalations by their next deadline, soonest first, in keyset pages.

Escalations with no outstanding deadline (NULL `next_due`) come after all the others, by id.
Each part is read in index order ((status, next_due, id)), so a page costs the same whether the
store holds a hundred escalations or a hundred thousand: a page that ends inside the dated part
reads it alone; one that reaches its end reads the undated part in a second query.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from domain.models import EscalationView
from store.cursor import MAX_CURSOR_LENGTH, InvalidCursor
from store.escalations import filter_conditions
from store.schemas import EscalationFilters
from store.tables import EscalationRow

_UNDATED = "-"


def _encode(due: datetime | None, escalation_id: str) -> str:
    stamp = due.astimezone(UTC).isoformat() if due is not None else _UNDATED
    return base64.urlsafe_b64encode(f"{stamp}|{escalation_id}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime | None, str]:
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("cursor is empty or too long")
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        stamp, separator, escalation_id = raw.decode().partition("|")
        due = None if stamp == _UNDATED else datetime.fromisoformat(stamp)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor("cursor is not one this service issued") from exc
    if not separator or not escalation_id or "\x00" in escalation_id or (
            due is not None and due.tzinfo is None):
        raise InvalidCursor("cursor is not one this service issued")
    return due, escalation_id


def board_page(
    session: Session, filters: EscalationFilters, *, limit: int, cursor: str | None
) -> tuple[list[EscalationView], str | None]:
    """One page of the board and the cursor of the next (None on the last)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    after_due, after_id = _decode(cursor) if cursor is not None else (None, None)
    due, row_id = col(EscalationRow.next_due), col(EscalationRow.id)
    conditions = filter_conditions(filters)
    rows: list[EscalationRow] = []
    if after_id is None or after_due is not None:
        dated = select(EscalationRow).where(*conditions, due.is_not(None))
        if after_due is not None:
            dated = dated.where(or_(due > after_due, and_(due == after_due, row_id > after_id)))
        rows = list(session.exec(dated.order_by(due, row_id).limit(limit + 1)))
    if len(rows) <= limit:
        undated = select(EscalationRow).where(*conditions, due.is_(None))
        if after_due is None and after_id is not None:
            undated = undated.where(row_id > after_id)
        rows += list(session.exec(undated.order_by(row_id).limit(limit + 1 - len(rows))))
    page = rows[:limit]
    next_cursor = _encode(page[-1].next_due, page[-1].id) if len(rows) > limit else None
    return [row.to_view() for row in page], next_cursor
