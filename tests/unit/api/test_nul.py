"""The NUL character is a 422 wherever a request carries text to the store: in bodies (it would
reach PostgreSQL through the workflow's store write) and in the filters, cursors included, that
the API's reads hand to SQL (PostgreSQL refuses to compare text holding it)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from domain.enums import Role
from tests.unit.api.conftest import bearer

ESCALATION = "esc-01jd5k7q3mz8x4c9v2b6n0p1rt"
CURSOR = base64.urlsafe_b64encode(
    f"2026-01-01T00:00:00+00:00|{ESCALATION}\x00".encode()).decode().rstrip("=")


@pytest.mark.parametrize(("method", "path", "params", "body"), [
    pytest.param("POST", "/v1/escalations", None,
                 {"title": "Charged\x00twice", "category": "billing"}, id="create"),
    pytest.param("POST", "/v1/triage", None, {"text": "refund\x00please"}, id="triage"),
    pytest.param("POST", f"/v1/escalations/{ESCALATION}/notice", None,
                 {"message": "on\x00it"}, id="action"),
    pytest.param("GET", "/v1/escalations", {"q": "a\x00"}, None, id="list-q"),
    pytest.param("GET", "/v1/escalations", {"team": "a\x00"}, None, id="list-team"),
    pytest.param("GET", "/v1/escalations", {"customer_id": "a\x00"}, None, id="list-customer"),
    pytest.param("GET", "/v1/escalations", {"cursor": CURSOR}, None, id="list-cursor"),
    pytest.param("GET", "/v1/rca-tasks", {"assignee": "a\x00"}, None, id="rca-assignee"),
    pytest.param("GET", "/v1/reports/sla", {"team": "a\x00"}, None, id="report-team"),
])
async def test_nul_is_422(
    client: httpx.AsyncClient, tokens: dict[Role, str], method: str, path: str,
    params: dict[str, str] | None, body: dict[str, Any] | None,
) -> None:
    answer = await client.request(method, path, params=params, json=body,
                                  headers=bearer(tokens[Role.INCIDENT_MANAGER]))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
