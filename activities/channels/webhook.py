"""The generic webhook: the JSON body of api.md, an Idempotency-Key and an HMAC signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from activities.channels.links import link_fields
from domain.messages import DeliveryTarget
from domain.state import Notification

SIGNATURE_HEADER = "X-Escalations-Signature"


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def payload(
    notification: Notification, target: DeliveryTarget, *, sent_at: datetime, public_url: str
) -> dict[str, Any]:
    return {
        "id": notification.id,
        "event": notification.event.value,
        "escalation_id": notification.escalation_id,
        "audience": notification.audience.value,
        "recipient": {"name": notification.recipient.name},
        "subject": notification.subject,
        "message": notification.message,
        "escalation": {
            "id": notification.escalation_id,
            "title": target.title,
            "priority": target.priority,
            "stage": target.stage,
            "status": target.status,
            "links": link_fields(notification, target, public_url),
        },
        "sent_at": rfc3339(sent_at),
    }


def encode(body: dict[str, Any]) -> bytes:
    # The signature covers these exact bytes; receivers must verify before parsing.
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def headers(notification: Notification, body: bytes, secret: str | None) -> dict[str, str]:
    return signed_headers(message_id=notification.id, event=notification.event.value,
                          body=body, secret=secret)


def signed_headers(*, message_id: str, event: str, body: bytes, secret: str | None
                   ) -> dict[str, str]:
    """The headers of every webhook we send (notifications and related-record webhooks), so
    one signing scheme covers both."""
    found = {
        "Content-Type": "application/json",
        "Idempotency-Key": message_id,
        "X-Escalations-Event": event,
    }
    if secret:
        found[SIGNATURE_HEADER] = signature(secret, body)
    return found
