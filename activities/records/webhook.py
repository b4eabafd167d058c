"""A related system behind our own webhook: a signed POST per link and per close.

Signed by the same code as our notification webhooks (activities/channels/webhook.py), with an
Idempotency-Key fixed per escalation, record and purpose, so a receiver that deduplicates by it
acts once however often a crash makes us send. 2xx: done; 409: already closed there.
"""

from __future__ import annotations

from datetime import UTC, datetime

from activities.channels import webhook as signing
from activities.records.client import SystemClient
from domain.record_calls import RecordAnswer, RecordCall
from domain.record_outcomes import CloseOutcome, LinkOutcome

LINK_EVENT = "related_record.link"
CLOSE_EVENT = "related_record.close"


async def link(client: SystemClient, call: RecordCall, secret: str | None) -> RecordAnswer:
    await _post(client, call, LINK_EVENT, secret)
    return RecordAnswer(outcome=LinkOutcome.LINKED)


async def close(client: SystemClient, call: RecordCall, secret: str | None) -> RecordAnswer:
    status = await _post(client, call, CLOSE_EVENT, secret, already=409)
    if status == 409:
        return RecordAnswer(outcome=CloseOutcome.ALREADY_CLOSED, answer="409 already closed")
    return RecordAnswer(outcome=CloseOutcome.CLOSED)


async def _post(client: SystemClient, call: RecordCall, event: str, secret: str | None,
                *, already: int | None = None) -> int:
    body = signing.encode({
        "id": f"{call.escalation_id}.{event}.{call.record}",
        "event": event,
        "escalation_id": call.escalation_id,
        "record": call.record,
        "system_id": call.system_id,
        "note": call.text,
        "sent_at": signing.rfc3339(datetime.now(UTC)),
    })
    headers = signing.signed_headers(message_id=f"{call.escalation_id}.{event}.{call.record}",
                                     event=event, body=body, secret=secret)
    reply = await client.call("POST", "", raw=body, headers=headers)
    if 200 <= reply.status < 300 or reply.status == already:
        return reply.status
    raise client.failure(reply, event)
