"""Inputs of deliver_notification and a look into the store, shared by these tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from domain.enums import ContactChannel, NotificationAudience, NotificationEvent
from domain.messages import DeliveryInput, DeliveryTarget
from domain.models import Recipient
from domain.state import Notification
from store.tables import DeliveryRow

SHORT_TIMEOUT = 0.5  # seconds: how long tests wait for a receiver told to hang


def brief_for(**overrides: object) -> DeliveryTarget:
    values: dict[str, object] = {
        "title": "Charged twice for the March invoice",
        "priority": "P1",
        "stage": "communicate",
        "status": "open",
        "deadline": datetime(2025, 3, 14, 10, 15, tzinfo=UTC),
        "deadline_what": "status update due",
        "links": {
            "self": "/v1/escalations/esc-01",
            "timeline": "/v1/escalations/esc-01/timeline",
            "temporal_ui": "http://127.0.0.1:8233/namespaces/default/workflows/esc-01",
        },
    }
    values.update(overrides)
    return DeliveryTarget.model_validate(values)


def notification(
    channel: ContactChannel, address: str, *, id: str = "esc-01:notice:3:0", validate: bool = True,
    audience: NotificationAudience = NotificationAudience.INTERNAL,
) -> Notification:
    recipient = Recipient.model_construct(
        name="Finance on-call", role="finance", channel=channel, address=address
    )
    if validate:
        recipient = Recipient.model_validate(recipient.model_dump())
    built = Notification.model_construct(
        id=id,
        escalation_id="esc-01",
        event=NotificationEvent.NOTICE,
        audience=audience,
        recipient=recipient,
        subject="[P1] Charged twice for the March invoice",
        message="We are investigating a double charge.\nNext update within 30 minutes.",
        seq=3,
    )
    # Unvalidated: an address today's validation refuses, as an older stored state could hold;
    # the checks at delivery must stand on their own.
    return Notification.model_validate(built.model_dump()) if validate else built


def delivery(
    channel: ContactChannel,
    address: str,
    *,
    id: str = "esc-01:notice:3:0",
    validate: bool = True,
    target: dict[str, object] | None = None,
    audience: NotificationAudience = NotificationAudience.INTERNAL,
) -> DeliveryInput:
    built = notification(channel, address, id=id, validate=validate, audience=audience)
    brief = brief_for(**(target or {}))
    if validate:
        return DeliveryInput(notification=built, target=brief)
    return DeliveryInput.model_construct(notification=built, target=brief)


def stored(sessions: sessionmaker[Session], notification_id: str) -> DeliveryRow:
    with sessions() as session:
        row = session.get(DeliveryRow, notification_id)
    assert row is not None, f"no delivery row for {notification_id}"
    return row
