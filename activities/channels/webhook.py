"""The generic webhook: the JSON body of api.md, an Idempotency-Key, and a signature by the
Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature`), so any
Standard Webhooks library verifies it and a captured request cannot be replayed later.

`X-Escalations-Signature` (an HMAC of the body alone, no timestamp) is still sent for one
release so receivers can move over; it is deprecated.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

from activities.channels.links import link_fields
from credentials.webhook_secret import check_webhook_secret
from domain.enums import NotificationAudience
from domain.messages import DeliveryTarget
from domain.state import Notification

SIGNATURE_HEADER = "X-Escalations-Signature"  # deprecated: use webhook-signature


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def payload(
    notification: Notification, target: DeliveryTarget, *, sent_at: datetime, public_url: str
) -> dict[str, Any]:
    escalation: dict[str, Any] = {
        "id": notification.escalation_id,
        "title": target.title,
        "priority": target.priority,
        "stage": target.stage,
        "status": target.status,
        "links": link_fields(notification, target, public_url),
    }
    # What is due next is internal: a customer's receiver gets the message and the reference.
    if notification.audience is NotificationAudience.INTERNAL and target.deadline is not None:
        escalation["next_deadline"] = {"what": target.deadline_what,
                                       "due": rfc3339(target.deadline)}
    return {
        "id": notification.id,
        "event": notification.event.value,
        "escalation_id": notification.escalation_id,
        "audience": notification.audience.value,
        "recipient": {"name": notification.recipient.name},
        "subject": notification.subject,
        "message": notification.message,
        "escalation": escalation,
        "sent_at": rfc3339(sent_at),
    }


def encode(body: dict[str, Any]) -> bytes:
    # The signature covers these exact bytes; receivers must verify before parsing.
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """Deprecated X-Escalations-Signature: HMAC-SHA256 of the body, keyed by the secret string."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def headers(notification: Notification, body: bytes, secret: str | None, *,
            sent_at: datetime) -> dict[str, str]:
    return signed_headers(message_id=notification.id, event=notification.event.value,
                          body=body, secret=secret, sent_at=sent_at)


def signed_headers(*, message_id: str, event: str, body: bytes, secret: str | None,
                   sent_at: datetime | None = None) -> dict[str, str]:
    """The headers of every webhook we send (notifications and related-record webhooks), so
    one signing scheme covers both. The message id is the same on every attempt (receivers
    dedupe on it); the timestamp and signature are made per attempt, so a delivery retried
    hours later is still inside the receiver's tolerance window."""
    sent_at = sent_at or datetime.now(UTC)
    found = {
        "Content-Type": "application/json",
        "Idempotency-Key": message_id,
        "X-Escalations-Event": event,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
    }
    if secret:
        # ESCALATIONS_WEBHOOK_SECRET is always in the scheme's form (checked at start-up); a
        # related system's own secret (`secret_env`) may predate it and gets the old header only.
        if _standard(secret):
            found["webhook-signature"] = Webhook(secret).sign(message_id, sent_at, body)
        found[SIGNATURE_HEADER] = signature(secret, body)
    return found


def _standard(secret: str) -> bool:
    try:
        check_webhook_secret(secret)
    except ValueError:
        return False
    return True
