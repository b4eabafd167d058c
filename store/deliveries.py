"""Outbound deliveries, one row per notification id; `delivered` is never downgraded."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, col, select, update

from store import statements
from store.schemas import DeliveryItem, DeliveryStatus
from store.tables import DeliveryRow

MAX_ERROR_LENGTH = 500


class Delivered(NamedTuple):
    status_code: int | None  # None for email (acceptance has no HTTP code)


def get_delivery(session: Session, notification_id: str) -> DeliveryRow | None:
    return session.get(DeliveryRow, notification_id)


def find_delivered(session: Session, notification_id: str) -> Delivered | None:
    """The delivery if it was delivered; None when it was not (yet).

    Asked before every delivery attempt, so two columns in a plain SELECT rather than an ORM
    row through the identity map (a third of the check's cost)."""
    row = session.exec(
        select(col(DeliveryRow.notification_id), col(DeliveryRow.status_code)).where(
            col(DeliveryRow.notification_id) == notification_id,
            col(DeliveryRow.status) == DeliveryStatus.DELIVERED.value,
        )
    ).first()
    return None if row is None else Delivered(status_code=row[1])


def record_delivery_attempt(
    session: Session,
    *,
    notification_id: str,
    escalation_id: str,
    event: str,
    channel: str,
    recipient_name: str,
    status_code: int | None,
    error: str | None,
    at: datetime,
) -> None:
    """Count an attempt that did not deliver; the row stays (or becomes again) pending."""
    _count_attempt(
        session,
        row={"notification_id": notification_id, "escalation_id": escalation_id, "event": event,
             "channel": channel, "recipient_name": recipient_name},
        outcome={"status": DeliveryStatus.PENDING.value, "status_code": status_code,
                 "last_error": _clip(error), "last_attempt_at": at},
        first_attempt_at=at,
    )


def mark_delivered(
    session: Session,
    *,
    notification_id: str,
    escalation_id: str,
    event: str,
    channel: str,
    recipient_name: str,
    status_code: int | None,
    at: datetime,
) -> None:
    """Count the attempt that delivered; a second call keeps the first delivery's record."""
    _count_attempt(
        session,
        row={"notification_id": notification_id, "escalation_id": escalation_id, "event": event,
             "channel": channel, "recipient_name": recipient_name},
        outcome={"status": DeliveryStatus.DELIVERED.value, "status_code": status_code,
                 "last_attempt_at": at, "delivered_at": at},
        first_attempt_at=at,
    )


def _count_attempt(
    session: Session, *, row: dict[str, object], outcome: dict[str, object],
    first_attempt_at: datetime,
) -> None:
    """Insert the first attempt, or add one to the count and take this attempt's outcome;
    a row already delivered never changes (the guard sits in the statement itself)."""
    statement = statements.count_delivery_attempt(statements.dialect_of(session), outcome)
    session.exec(statement, params={**row, **outcome, "attempts": 1,
                                    "first_attempt_at": first_attempt_at})


def mark_failed(session: Session, notification_id: str, at: datetime, error: str) -> None:
    """Give up on a delivery (retries exhausted); a delivered one stays delivered."""
    session.exec(
        update(DeliveryRow)
        .where(
            col(DeliveryRow.notification_id) == notification_id,
            col(DeliveryRow.status) != DeliveryStatus.DELIVERED.value,
        )
        .values(status=DeliveryStatus.FAILED.value, failed_at=at, last_error=_clip(error))
    )


def _clip(error: str | None) -> str | None:
    return error[:MAX_ERROR_LENGTH] if error is not None else None


def list_deliveries(session: Session, escalation_id: str) -> list[DeliveryItem]:
    """Every delivery attempted for the escalation, with the timeline entry that caused it.

    A notification id is `<escalation>.<event>.<seq>.<index>` (domain/transition.py): its seq
    ties the delivery to its timeline entry without a column of its own."""
    rows = session.exec(
        select(DeliveryRow)
        .where(col(DeliveryRow.escalation_id) == escalation_id)
        .order_by(col(DeliveryRow.notification_id))
    )
    found: list[DeliveryItem] = []
    for row in rows:
        parts = row.notification_id.rsplit(".", 3)
        if len(parts) != 4 or not parts[2].isdigit():
            continue
        found.append(DeliveryItem(seq=int(parts[2]), event=row.event, channel=row.channel,
                                  recipient_name=row.recipient_name, status=row.status,
                                  attempts=row.attempts, last_error=row.last_error))
    return found
