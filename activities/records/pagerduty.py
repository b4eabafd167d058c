"""PagerDuty: notes and resolution over the REST API v2, or a resolve event over Events API v2.

REST (developer.pagerduty.com, "Update an Incident", "Create a Note on an Incident"):
`Authorization: Token token=…`, `Accept: application/vnd.pagerduty+json;version=2`, and a
`From` header naming a user of the account on writes. `PUT /incidents/{id}` with
`{"incident": {"type": "incident_reference", "status": "resolved", "resolution": …}}`.
Events API v2: `POST /v2/enqueue` with `routing_key`, `event_action: resolve` and the
`dedup_key`; 202 whatever state the alert was in, so a resolve there is always `closed`.
"""

from __future__ import annotations

from typing import Any

from activities.records.client import Credentials, Reply, SystemClient, path
from domain.record_calls import RecordAnswer, RecordCall
from domain.record_outcomes import CloseOutcome, LinkOutcome
from domain.related_systems import PagerDutySystem

ACCEPT = "application/vnd.pagerduty+json;version=2"


def rest_headers(system: PagerDutySystem, credentials: Credentials) -> dict[str, str] | None:
    """None when the policy gives no REST credentials (an events-only system)."""
    if system.token_env is None or system.from_email is None:
        return None
    return {"Authorization": f"Token token={credentials.read(system.token_env)}",
            "Accept": ACCEPT, "From": system.from_email}


async def link(client: SystemClient, call: RecordCall) -> RecordAnswer:
    await _note_once(client, call)
    return RecordAnswer(outcome=LinkOutcome.LINKED)


async def close(call: RecordCall, system: PagerDutySystem, *, rest: SystemClient | None,
                events: SystemClient | None, credentials: Credentials) -> RecordAnswer:
    """`rest` when the policy gives REST credentials, `events` (at events_url) when it closes
    with a resolve event."""
    if system.close_with == "events":
        assert events is not None
        assert system.routing_key_env is not None
        if rest is not None:  # the Events API carries no notes: the close note goes over REST
            await _note_once(rest, call)
        event = {"routing_key": credentials.read(system.routing_key_env),
                 "event_action": "resolve", "dedup_key": call.system_id}
        reply = await events.call("POST", "/v2/enqueue", body=event)
        if reply.status == 202:
            return RecordAnswer(outcome=CloseOutcome.CLOSED)
        raise events.failure(reply, f"resolve event for {call.system_id}", said=_said(reply))
    assert rest is not None
    reply = await rest.call("GET", path("incidents", call.system_id))
    if reply.status != 200:
        raise rest.failure(reply, f"GET incident {call.system_id}", said=_said(reply))
    status = str(((reply.body or {}).get("incident") or {}).get("status", ""))
    if status == "resolved":
        # Our close note goes on before the resolve: with it there, the resolve was ours
        # (an attempt whose answer was lost); without it, someone resolved it before us.
        ours = await _has_note(rest, call)
        return RecordAnswer(outcome=CloseOutcome.CLOSED if ours else CloseOutcome.ALREADY_CLOSED,
                            answer=None if ours else "resolved in PagerDuty before the close")
    await _note_once(rest, call)
    body = {"incident": {"type": "incident_reference", "status": "resolved",
                         "resolution": call.text}}
    reply = await rest.call("PUT", path("incidents", call.system_id), body=body)
    if reply.status == 200:
        return RecordAnswer(outcome=CloseOutcome.CLOSED)
    if reply.status == 400 and "already resolved" in _said(reply).lower():
        return RecordAnswer(outcome=CloseOutcome.ALREADY_CLOSED, answer=_said(reply))
    raise rest.failure(reply, f"PUT incident {call.system_id}", said=_said(reply))


async def _note_once(client: SystemClient, call: RecordCall) -> None:
    if not await _has_note(client, call):
        await _add_note(client, call)


async def _has_note(client: SystemClient, call: RecordCall) -> bool:
    reply = await client.call("GET", path("incidents", call.system_id, "notes"))
    if reply.status != 200:
        raise client.failure(reply, f"GET notes of {call.system_id}", said=_said(reply))
    notes: list[dict[str, Any]] = (reply.body or {}).get("notes") or []
    return any(str(note.get("content", "")).startswith(call.marker) for note in notes)


async def _add_note(client: SystemClient, call: RecordCall) -> None:
    reply = await client.call("POST", path("incidents", call.system_id, "notes"),
                              body={"note": {"content": call.text}})
    if reply.status not in (200, 201):
        raise client.failure(reply, f"POST note on {call.system_id}", said=_said(reply))


def _said(reply: Reply) -> str:
    """PagerDuty's error: {"error": {"message": …, "code": …, "errors": [...]}}; the Events
    API's: {"status": …, "message": …, "errors": [...]}."""
    body: dict[str, Any] = reply.body if isinstance(reply.body, dict) else {}
    nested = body.get("error")
    error: dict[str, Any] = nested if isinstance(nested, dict) else body
    parts = [str(error.get("message", ""))]
    parts += [str(e) for e in error.get("errors") or [] if e]
    said = "; ".join(p for p in parts if p)
    return said or reply.text
