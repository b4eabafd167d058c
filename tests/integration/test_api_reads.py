"""Lists, filters, cursors and RCA inboxes over HTTP against a real dev server and store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.enums import Role
from tests.integration.api_fixtures import ENGINEER, IM, LEAD, VIEWER, ApiStack, api_stack
from tests.support.waiting import until

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(loop_scope="session")
async def api(dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
              ) -> AsyncIterator[ApiStack]:
    async with api_stack(dev_env, tmp_path, database_url=database_url) as stack:
        yield stack


async def ids(api: ApiStack, role: Role = VIEWER, **params: Any) -> list[str]:
    answer = await api.get("/v1/escalations", role=role, params=params)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


async def test_list_filters_and_pages_newest_first(api: ApiStack) -> None:
    billing = await api.open()  # billing-vip: P1, billing, tier 2
    outage = await api.open(title="Checkout is down", category="outage",
                            customer={"id": "cust-7", "name": "Beta"}, affected_customers=[])
    question = await api.open(title="How do refunds work?", category="question",
                              customer=None, affected_customers=[])
    await api.act(outage["id"], "cancel", {"reason": "duplicate"})

    assert await ids(api) == [question["id"], outage["id"], billing["id"]]
    assert await ids(api, priority="P1") == [outage["id"], billing["id"]]
    assert await ids(api, team="billing") == [billing["id"]]
    assert await ids(api, tier=1) == [question["id"]]
    assert await ids(api, status="cancelled") == [outage["id"]]
    assert await ids(api, stage="communicate", status="open") == [question["id"], billing["id"]]
    assert await ids(api, customer_id="cust-7") == [outage["id"]]
    assert await ids(api, q="REFUNDS") == [question["id"]]
    assert await ids(api, breached="false") == [question["id"], outage["id"], billing["id"]]
    assert await ids(api, breached="true") == []

    first = (await api.get("/v1/escalations", params={"limit": 2})).json()
    second = (await api.get("/v1/escalations",
                            params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [i["id"] for i in first["items"] + second["items"]] == await ids(api)
    assert second["next_cursor"] is None


async def rca_ids(api: ApiStack, role: Role, **params: Any) -> set[tuple[str, str]]:
    answer = await api.get("/v1/rca-tasks", role=role, params=params)
    assert answer.status_code == 200, answer.text
    return {(item["kind"], item["status"]) for item in answer.json()["items"]}


async def drive_to_close(api: ApiStack) -> str:
    """A P1 billing escalation through communicate and resolve into close (RCA required)."""
    escalation = (await api.open())["id"]
    steps: list[tuple[str, dict[str, Any], Role]] = [
        ("notice", {"message": "We are on it.", "audiences": ["internal"]}, IM),
        ("action-plan", {"steps": [{"description": "Refund the double charge"}]}, ENGINEER),
        ("resolution", {"summary": "Refunded."}, IM),
        ("verification", {"verified": True, "note": "refund visible"}, ENGINEER),
        ("customer-access", {"confirmed": True}, LEAD),
    ]
    for path, body, role in steps:
        answer = await api.act(escalation, path, body, role=role)
        assert answer.status_code == 200, (path, answer.text)
    assert answer.json()["stage"] == "close"
    return escalation


async def test_rca_tasks_are_visible_by_role(api: ApiStack) -> None:
    escalation = await drive_to_close(api)

    async def internal_requested() -> set[tuple[str, str]]:
        return await rca_ids(api, IM)

    await until(internal_requested, lambda seen: bool(seen), what="the internal RCA task")
    assert await rca_ids(api, IM) == {("internal", "open")}
    assert await rca_ids(api, ENGINEER) == {("internal", "open")}
    assert await rca_ids(api, LEAD) == set()
    assert (await api.get("/v1/rca-tasks", role=VIEWER)).status_code == 403

    submitted = await api.act(escalation, "rca/internal",
                              {"summary": "Retry bug", "root_cause": "Idempotency missing",
                               "corrective_actions": ["Add idempotency keys"]}, role=ENGINEER)
    assert submitted.status_code == 200, submitted.text
    assert await rca_ids(api, IM) == {("internal", "submitted"), ("customer", "open")}
    assert await rca_ids(api, ENGINEER) == {("internal", "submitted")}
    assert await rca_ids(api, LEAD) == {("customer", "open")}
    assert await rca_ids(api, IM, kind="customer") == {("customer", "open")}
    assert await rca_ids(api, IM, status="submitted") == {("internal", "submitted")}
    assert await rca_ids(api, ENGINEER, kind="customer") == set()

    item = (await api.get("/v1/rca-tasks", role=LEAD)).json()["items"][0]
    assert item["escalation"]["id"] == escalation
    assert item["escalation_id"] == escalation

    shared = await api.act(escalation, "rca/customer", {"summary": "We fixed it."}, role=LEAD)
    assert shared.status_code == 200
    assert shared.json()["status"] == "closed"
    assert await rca_ids(api, LEAD) == {("customer", "submitted")}
