"""ServiceNow (Table API): an incident found by number, work notes, resolution, problems.

- `GET /api/now/table/incident?sysparm_query=number=INC…` finds the `sys_id` (an empty
  `result` list: no such incident).
- `PATCH /api/now/table/incident/{sys_id}` with `work_notes` (the link), or with `state`,
  `close_code` and `close_notes` (the close); 200 with the record in `result`.
- Work notes are journal entries: `GET /api/now/table/sys_journal_field` finds ours.
- `GET/POST /api/now/table/problem`: problems keyed by our `correlation_id`; 201 on create.
Errors: {"error": {"message": …, "detail": …}, "status": "failure"}.
"""

from __future__ import annotations

from typing import Any

from activities.records.client import Credentials, RecordFailed, Reply, SystemClient, path
from domain.record_calls import ProblemAnswer, ProblemCall, RecordAnswer, RecordCall
from domain.record_outcomes import CloseOutcome, LinkOutcome
from domain.related_systems import ServiceNowSystem

TABLE = "incident"


def auth_headers(system: ServiceNowSystem, credentials: Credentials) -> dict[str, str]:
    if system.token_env is not None:
        return {"Authorization": f"Bearer {credentials.read(system.token_env)}"}
    assert system.username_env is not None
    assert system.password_env is not None
    return {"Authorization": credentials.basic(system.username_env, system.password_env)}


async def link(client: SystemClient, call: RecordCall) -> RecordAnswer:
    incident = await _incident(client, call.system_id)
    if not await _has_work_note(client, str(incident["sys_id"]), call.marker):
        await _patch(client, incident, {"work_notes": call.text}, doing="add a work note")
    return RecordAnswer(outcome=LinkOutcome.LINKED)


async def close(client: SystemClient, call: RecordCall, system: ServiceNowSystem
                ) -> RecordAnswer:
    incident = await _incident(client, call.system_id)
    if str(incident.get("state", "")) in system.closed_states:
        # The close notes are written with the state: ours there means the close was ours
        # (an attempt whose answer was lost).
        ours = str(incident.get("close_notes", "")).startswith(call.marker)
        return RecordAnswer(outcome=CloseOutcome.CLOSED if ours else CloseOutcome.ALREADY_CLOSED,
                            answer=None if ours else f"state {incident.get('state')} already")
    await _patch(client, incident, {"state": system.state, "close_code": system.close_code,
                                    "close_notes": call.text}, doing="resolve")
    return RecordAnswer(outcome=CloseOutcome.CLOSED)


async def open_problem(client: SystemClient, call: ProblemCall) -> ProblemAnswer:
    reply = await client.call("GET", path("api", "now", "table", "problem"), params=[
        ("sysparm_query", f"correlation_id={call.marker}"),
        ("sysparm_fields", "sys_id,number"), ("sysparm_limit", "1")])
    if reply.status != 200:
        raise client.failure(reply, "search for an earlier problem", said=_said(reply))
    found = _results(reply)
    if found:
        return ProblemAnswer(record=str(found[0]["number"]), created=False)
    body = {"short_description": call.summary, "description": call.description,
            "correlation_id": call.marker, "correlation_display": "escalations"}
    reply = await client.call("POST", path("api", "now", "table", "problem"), body=body)
    record = (reply.body or {}).get("result") if isinstance(reply.body, dict) else None
    if reply.status != 201 or not isinstance(record, dict) or "number" not in record:
        raise client.failure(reply, "create a problem", said=_said(reply))
    return ProblemAnswer(record=str(record["number"]), created=True)


async def _incident(client: SystemClient, number: str) -> dict[str, Any]:
    reply = await client.call("GET", path("api", "now", "table", TABLE), params=[
        ("sysparm_query", f"number={number}"),
        ("sysparm_fields", "sys_id,number,state,close_notes"), ("sysparm_limit", "1")])
    if reply.status != 200:
        raise client.failure(reply, f"look up {number}", said=_said(reply))
    found = _results(reply)
    if not found:
        raise RecordFailed(f"{client.name}: no incident {number}", final=True)
    return found[0]


async def _has_work_note(client: SystemClient, sys_id: str, marker: str) -> bool:
    reply = await client.call("GET", path("api", "now", "table", "sys_journal_field"), params=[
        ("sysparm_query", f"element_id={sys_id}^element=work_notes^valueSTARTSWITH{marker}"),
        ("sysparm_fields", "sys_id"), ("sysparm_limit", "1")])
    if reply.status != 200:
        raise client.failure(reply, "look for our work note", said=_said(reply))
    return bool(_results(reply))


async def _patch(client: SystemClient, incident: dict[str, Any], fields: dict[str, str],
                 *, doing: str) -> None:
    number = incident.get("number", incident["sys_id"])
    reply = await client.call("PATCH", path("api", "now", "table", TABLE,
                                            str(incident["sys_id"])), body=fields)
    if reply.status != 200:
        raise client.failure(reply, f"{doing} {number}", said=_said(reply))


def _results(reply: Reply) -> list[dict[str, Any]]:
    result = (reply.body or {}).get("result") if isinstance(reply.body, dict) else None
    return [r for r in result if isinstance(r, dict)] if isinstance(result, list) else []


def _said(reply: Reply) -> str:
    body = reply.body if isinstance(reply.body, dict) else {}
    error = body.get("error")
    if not isinstance(error, dict):
        return reply.text
    said = "; ".join(str(error[k]) for k in ("message", "detail") if error.get(k))
    return said or reply.text
