"""Jira (Cloud platform REST API v3): comments, a workflow transition, problem issues.

- `GET /rest/api/3/issue/{key}?fields=status`: `fields.status.statusCategory.key` ("done").
- `GET/POST /rest/api/3/issue/{key}/comment`: bodies in Atlassian Document Format (ADF).
- `GET /rest/api/3/issue/{key}/transitions` lists the transitions open from the current
  status; `POST` with `{"transition": {"id": …}}` answers 204. A 409 means another transition
  is running on the issue (retry).
- `GET /rest/api/3/search/jql` and `POST /rest/api/3/issue` (201 with the new key).
Auth: Basic e-mail:API token (Cloud), or a Bearer personal access token.
"""

from __future__ import annotations

import re
from typing import Any

from activities.records.client import Credentials, RecordFailed, Reply, SystemClient, path
from domain.record_calls import ProblemAnswer, ProblemCall, RecordAnswer, RecordCall
from domain.record_outcomes import CloseOutcome, LinkOutcome
from domain.related_systems import JiraSystem

API = "/rest/api/3"
COMMENTS_PAGE = "100"
_URL = re.compile(r"(https?://\S+)")


def auth_headers(system: JiraSystem, credentials: Credentials) -> dict[str, str]:
    if system.email_env is not None:
        return {"Authorization": credentials.basic(system.email_env, system.token_env)}
    return {"Authorization": f"Bearer {credentials.read(system.token_env)}"}


def adf(text: str) -> dict[str, Any]:
    """Plain text as an ADF document: a paragraph per line, URLs as links."""
    paragraphs = []
    for line in text.splitlines() or [""]:
        content: list[dict[str, Any]] = []
        for piece in _URL.split(line):
            if not piece:
                continue
            node: dict[str, Any] = {"type": "text", "text": piece}
            if _URL.fullmatch(piece):
                node["marks"] = [{"type": "link", "attrs": {"href": piece}}]
            content.append(node)
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


async def link(client: SystemClient, call: RecordCall) -> RecordAnswer:
    await _comment_once(client, call)
    return RecordAnswer(outcome=LinkOutcome.LINKED)


async def close(client: SystemClient, call: RecordCall, system: JiraSystem) -> RecordAnswer:
    key = call.system_id
    reply = await client.call("GET", path("rest", "api", "3", "issue", key),
                              params=[("fields", "status")])
    if reply.status != 200:
        raise client.failure(reply, f"GET issue {key}", said=_said(reply))
    status = ((reply.body or {}).get("fields") or {}).get("status") or {}
    category = str((status.get("statusCategory") or {}).get("key", ""))
    if category == system.closed_category:
        # The close note goes on before the transition: with it there, the transition was
        # ours (an attempt whose answer was lost); without it, the issue was closed before.
        ours = await _has_comment(client, call)
        return RecordAnswer(outcome=CloseOutcome.CLOSED if ours else CloseOutcome.ALREADY_CLOSED,
                            answer=None if ours else f"already {status.get('name', 'done')}")
    await _comment_once(client, call)
    transition = await _transition_id(client, key, system, str(status.get("name", "")))
    reply = await client.call("POST", path("rest", "api", "3", "issue", key, "transitions"),
                              body={"transition": {"id": transition}})
    if reply.status == 204:
        return RecordAnswer(outcome=CloseOutcome.CLOSED)
    raise client.failure(reply, f"transition {key}", said=_said(reply), retry_on=(409,))


async def open_problem(client: SystemClient, call: ProblemCall) -> ProblemAnswer:
    project = call.target.project
    assert project is not None  # the policy checks it
    jql = f'project = "{project}" AND labels = "{call.marker}"'
    reply = await client.call("GET", f"{API}/search/jql",
                              params=[("jql", jql), ("fields", "key"), ("maxResults", "1")])
    if reply.status != 200:
        raise client.failure(reply, "search for an earlier problem issue", said=_said(reply))
    found = (reply.body or {}).get("issues") or []
    if found:
        return ProblemAnswer(record=str(found[0]["key"]), created=False)
    fields = {"project": {"key": project}, "issuetype": {"name": call.target.issue_type},
              "summary": call.summary, "description": adf(call.description),
              "labels": [call.marker]}
    reply = await client.call("POST", f"{API}/issue", body={"fields": fields})
    if reply.status != 201 or not isinstance(reply.body, dict) or "key" not in reply.body:
        raise client.failure(reply, f"create an issue in {project}", said=_said(reply))
    return ProblemAnswer(record=str(reply.body["key"]), created=True)


async def _transition_id(client: SystemClient, key: str, system: JiraSystem, now: str) -> str:
    if system.transition.isdigit():
        return system.transition
    reply = await client.call("GET", path("rest", "api", "3", "issue", key, "transitions"))
    if reply.status != 200:
        raise client.failure(reply, f"GET transitions of {key}", said=_said(reply))
    offered = (reply.body or {}).get("transitions") or []
    wanted = system.transition.casefold()
    for transition in offered:
        if str(transition.get("name", "")).casefold() == wanted:
            return str(transition["id"])
    names = ", ".join(str(t.get("name")) for t in offered) or "none"
    raise RecordFailed(f"{client.name}: no transition {system.transition!r} from status "
                       f"{now!r} of {key} (offered: {names})", final=True)


async def _comment_once(client: SystemClient, call: RecordCall) -> None:
    if await _has_comment(client, call):
        return
    reply = await client.call("POST", path("rest", "api", "3", "issue", call.system_id,
                                           "comment"), body={"body": adf(call.text)})
    if reply.status != 201:
        raise client.failure(reply, f"comment on {call.system_id}", said=_said(reply))


async def _has_comment(client: SystemClient, call: RecordCall) -> bool:
    # Newest first: our comments are recent, whatever the issue's age.
    reply = await client.call("GET", path("rest", "api", "3", "issue", call.system_id, "comment"),
                              params=[("orderBy", "-created"), ("maxResults", COMMENTS_PAGE)])
    if reply.status != 200:
        raise client.failure(reply, f"GET comments of {call.system_id}", said=_said(reply))
    comments = (reply.body or {}).get("comments") or []
    return any(_starts_with(comment.get("body"), call.marker) for comment in comments)


def _starts_with(body: Any, marker: str) -> bool:
    """Whether an ADF body's text (or a plain-text body, as API v2 returns it) starts so."""
    if isinstance(body, str):
        return body.startswith(marker)
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                texts.append(str(node.get("text", "")))
            for child in node.get("content") or []:
                walk(child)

    walk(body)
    return "".join(texts).startswith(marker)


def _said(reply: Reply) -> str:
    """Jira's error: {"errorMessages": [...], "errors": {field: message}}."""
    body = reply.body if isinstance(reply.body, dict) else {}
    parts = [str(m) for m in body.get("errorMessages") or []]
    parts += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    return "; ".join(parts) or reply.text
