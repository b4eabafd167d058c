"""Every endpoint x every role (and a missing or unknown token): allowed, 401 or 403.

Temporal is unreachable here, so an allowed call may end in 503 or 404: "allowed" means only that
authentication and the role check let it through (not 401/403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.routes.actions import PATHS
from domain.enums import Action, Role
from domain.lifecycle import ROLES
from tests.unit.api.conftest import bearer

ESC = "/v1/escalations/esc-01jd5k7q3mz8x4c9v2b6n0p1rt"
EVERYONE = frozenset({Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD, Role.VIEWER})
IM = frozenset({Role.INCIDENT_MANAGER})

BODIES: dict[Action, dict[str, Any]] = {
    Action.ACKNOWLEDGE: {"owner": "alice"},
    Action.ADD_DETAILS: {"affected_services": ["billing-api"]},
    Action.SEND_NOTICE: {"message": "We are on it.", "audiences": ["internal"]},
    Action.POST_STATUS_UPDATE: {"message": "Still on it."},
    Action.SET_ACTION_PLAN: {"steps": [{"description": "Refund the charge"}]},
    Action.ESCALATE: {"type": "hierarchical", "reason": "slow"},
    Action.DEPLOY_TASK_FORCE: {
        "members": [{"name": "Ann", "channel": "email", "address": "ann@corp.example"}]
    },
    Action.DECLARE_RESOLUTION: {"summary": "Refunded."},
    Action.VERIFY_RESOLUTION: {"verified": True},
    Action.CONFIRM_CUSTOMER_ACCESS: {"confirmed": True},
    Action.SUBMIT_INTERNAL_RCA: {"summary": "s", "root_cause": "r"},
    Action.SHARE_CUSTOMER_RCA: {"summary": "s"},
    Action.CANCEL: {"reason": "duplicate"},
    Action.ACKNOWLEDGE_COMPLAINT: {},
    Action.RESOLVE_EARLY: {"note": "Refunded; the customer is happy.", "satisfied": True},
    Action.SEND_DELAY_NOTICE: {"reasons": "We are waiting for the insurer's assessor."},
    Action.SEND_IDR_RESPONSE: {"outcome": "resolved_in_favour_of_complainant",
                               "reasons": "We refunded the fee."},
    Action.PAUSE: {"reason": "Waiting on the customer's logs."},
    Action.RESUME: {"note": "Logs arrived."},
    Action.RETRIAGE: {"priority": "P1", "reason": "More customers affected."},
    Action.DEESCALATE: {"reason": "The manager is no longer needed."},
    Action.MERGE: {"into": "esc-01j9zzzzzzzzzzzzzzzzzzzzzz", "note": "same outage"},
    Action.ADD_NOTE: {"text": "@alice can you look at the refund?"},
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    roles: frozenset[Role] | None  # None: no token needed
    body: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path.replace(ESC, '{id}')}"


TRIAGE = {"text": "I was charged twice and want a refund", "channel": "twitter"}
POSTS = {"posts": [{"channel": "twitter", "post_id": "1790", "text": "Charged twice, refund!",
                    "author": {"handle": "@ann"}, "posted_at": "2026-03-01T09:00:00Z"}]}
INTAKE = frozenset({Role.INCIDENT_MANAGER, Role.ENGINEER, Role.INTAKE})
REPORTS = frozenset({Role.INCIDENT_MANAGER, Role.VIEWER})
# Reads under an escalation that are not actions.
READ_PATHS = {"timeline", "sources", "deliveries", "saved-replies"}
ENDPOINTS = [
    Endpoint("GET", "/v1/escalations", EVERYONE),
    Endpoint("POST", "/v1/escalations", IM, {"title": "Double charge", "category": "billing"}),
    Endpoint("GET", ESC, EVERYONE),
    Endpoint("GET", f"{ESC}/timeline", EVERYONE),
    Endpoint("GET", f"{ESC}/sources", EVERYONE),
    Endpoint("GET", f"{ESC}/saved-replies", EVERYONE),
    *(Endpoint("POST", f"{ESC}/{PATHS[a]}", ROLES[a], BODIES[a]) for a in Action),
    Endpoint("GET", "/v1/rca-tasks",
             frozenset({Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD})),
    Endpoint("POST", "/v1/triage", frozenset({Role.INCIDENT_MANAGER, Role.ENGINEER}), TRIAGE),
    Endpoint("POST", "/v1/triage?create=true", IM, TRIAGE),
    Endpoint("POST", "/v1/intake/posts", INTAKE, POSTS),
    Endpoint("GET", "/v1/reports/sla", REPORTS),
    Endpoint("GET", "/v1/reports/intake", REPORTS),
    Endpoint("GET", "/healthz", None),
    Endpoint("GET", "/readyz", None),
    Endpoint("GET", "/metrics", None),
]
# Sorted: every test process (pytest-xdist) must collect the same ids in the same order.
CALLERS: list[Role | str] = [*sorted(EVERYONE), Role.INTAKE, "missing", "unknown"]


def expected(endpoint: Endpoint, caller: Role | str) -> str:
    if endpoint.roles is None:
        return "allowed"
    if not isinstance(caller, Role):
        return "401"
    return "allowed" if caller in endpoint.roles else "403"


def outcome(status: int) -> str:
    return str(status) if status in (401, 403) else "allowed"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize("caller", CALLERS, ids=str)
async def test_role_matrix(
    client: httpx.AsyncClient, tokens: dict[Role, str], endpoint: Endpoint, caller: Role | str
) -> None:
    headers = {}
    if isinstance(caller, Role):
        headers = bearer(tokens[caller])
    elif caller == "unknown":
        headers = bearer("esk_not-a-key-anyone-holds-0000000000")
    answer = await client.request(endpoint.method, endpoint.path, json=endpoint.body,
                                  headers=headers)
    assert outcome(answer.status_code) == expected(endpoint, caller), answer.text
    assert answer.status_code < 500 or answer.status_code == 503, answer.text


async def test_401_carries_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/escalations", headers=bearer("esk_wrong-token-000000000000"))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


async def test_403_names_the_role(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    answer = await client.post(f"{ESC}/cancel", json={"reason": "x"},
                               headers=bearer(tokens[Role.VIEWER]))
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert "viewer" in answer.json()["detail"]


async def test_every_action_has_one_route(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    reads = {f"/v1/escalations/{{escalation_id}}/{name}" for name in READ_PATHS}
    action_paths = {p for p in schema["paths"] if p.startswith("/v1/escalations/{escalation_id}/")
                    and p not in reads}
    assert action_paths == {f"/v1/escalations/{{escalation_id}}/{PATHS[a]}" for a in Action}
