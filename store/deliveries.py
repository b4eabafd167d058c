"""Outbound deliveries, one row per notification id; `delivered` is never downgraded."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NamedTuple

from sqlmodel import Session, col, select, update

from domain.enums import TimelineType
from store import statements
from store.schemas import DeliveryItem, DeliveryState, DeliveryStatus
from store.tables import DeliveryRow, TimelineRow

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
    """Every recipient of the escalation's notifications and where each delivery stands, in
    timeline order, with those who could not be reached (`notification_skipped` entries) and
    deliveries given up before a row was written (`notification_failed` only)."""
    rows = session.exec(
        select(DeliveryRow).where(col(DeliveryRow.escalation_id) == escalation_id)
    ).all()
    items = [_item(row) for row in rows]
    known = {row.notification_id for row in rows}
    entries = session.exec(
        select(TimelineRow).where(
            col(TimelineRow.escalation_id) == escalation_id,
            col(TimelineRow.type).in_([TimelineType.NOTIFICATION_SKIPPED.value,
                                       TimelineType.NOTIFICATION_FAILED.value]),
        ).order_by(col(TimelineRow.seq))
    ).all()
    for entry in entries:
        details = json.loads(entry.details_json)
        if entry.type == TimelineType.NOTIFICATION_SKIPPED.value:
            items.extend(_skipped(details))
        elif details.get("notification_id") not in known:
            items.append(DeliveryItem(
                notification_id=details.get("notification_id"),
                seq=seq_of(str(details.get("notification_id", ""))),
                event=str(details.get("event") or ""), recipient=details.get("recipient"),
                channel=details.get("channel"), state=DeliveryState.FAILED,
                last_error=details.get("reason"), failed_at=entry.at))
    return sorted(items, key=lambda i: (i.seq or 0, i.notification_id or ""))


def seq_of(notification_id: str) -> int | None:
    """The timeline entry a notification belongs to: ids are `{escalation}.{event}.{seq}.{n}`
    (domain.transition.Tx.notify)."""
    parts = notification_id.rsplit(".", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def _item(row: DeliveryRow) -> DeliveryItem:
    state = {DeliveryStatus.DELIVERED.value: DeliveryState.DELIVERED,
             DeliveryStatus.FAILED.value: DeliveryState.FAILED}.get(
        row.status, DeliveryState.RETRYING if row.attempts else DeliveryState.PENDING)
    return DeliveryItem(
        notification_id=row.notification_id, seq=seq_of(row.notification_id), event=row.event,
        recipient=row.recipient_name, channel=row.channel, state=state, attempts=row.attempts,
        status_code=row.status_code, last_error=row.last_error,
        last_attempt_at=row.last_attempt_at, delivered_at=row.delivered_at,
        failed_at=row.failed_at)


def _skipped(details: dict[str, Any]) -> list[DeliveryItem]:
    base = {"seq": details.get("cause_seq"), "event": str(details.get("event") or ""),
            "state": DeliveryState.SKIPPED}
    found = [DeliveryItem(**base, recipient=u.get("name"), reason=u.get("reason"))
             for u in details.get("unreached", [])]
    if details.get("reason"):
        found.append(DeliveryItem(**base, reason=details["reason"]))
    return found
