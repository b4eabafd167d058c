"""POST /v1/escalations against a real dev server: creation, idempotency, concurrency."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.ids import escalation_id_for_key, is_escalation_id
from tests.integration.api_fixtures import ENGINEER, ApiStack, api_stack
from tests.support.temporal import scheduled_activities

pytestmark = pytest.mark.integration


def unique(key: str) -> str:
    """An Idempotency-Key of this test alone: the key fixes the workflow id, and the dev server
    is shared by the whole session (each test also runs once per store backend)."""
    return f"{key}-{uuid.uuid4().hex[:12]}"


@pytest_asyncio.fixture(loop_scope="session")
async def api(dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
              ) -> AsyncIterator[ApiStack]:
    async with api_stack(dev_env, tmp_path, database_url=database_url) as stack:
        yield stack


async def test_create_answers_201_in_stage_communicate(api: ApiStack) -> None:
    answer = await api.create()
    assert answer.status_code == 201, answer.text
    view = answer.json()
    assert is_escalation_id(view["id"])
    assert (view["status"], view["stage"]) == ("open", "communicate")
    assert (view["priority"], view["team"], view["routing"]["rule"]) == ("P1", "billing",
                                                                          "billing-vip")
    assert answer.headers["etag"] == f'"{view["version"]}"'
    assert answer.headers["location"] == f"/v1/escalations/{view['id']}"
    assert view["links"]["temporal_ui"].endswith(f"/namespaces/default/workflows/{view['id']}")
    description = await api.temporal.get_workflow_handle(view["id"]).describe()
    assert description.task_queue == api.settings.temporal_task_queue


async def test_same_key_and_body_answers_200_with_the_same_escalation(api: ApiStack) -> None:
    key = unique("retry-me")
    first = await api.create(key=key)
    again = await api.create(key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] == escalation_id_for_key(key)


async def test_same_key_with_another_body_is_422(api: ApiStack) -> None:
    key = unique("k-1")
    assert (await api.create(key=key)).status_code == 201
    other = await api.create(api.body(title="Something else entirely"), key=key)
    assert other.status_code == 422
    assert other.json()["detail"] == "Idempotency-Key reused with a different body."


async def test_twenty_concurrent_creates_with_one_key_open_one_escalation(api: ApiStack) -> None:
    key = unique("storm")
    escalation_id = escalation_id_for_key(key)
    answers = await asyncio.gather(*(api.create(key=key) for _ in range(20)))
    assert Counter(a.status_code for a in answers) == Counter({201: 1, 200: 19})
    assert {a.json()["id"] for a in answers} == {escalation_id}
    timeline = await api.get(f"/v1/escalations/{escalation_id}/timeline")
    assert [e["type"] for e in timeline.json()["items"]].count("created") == 1
    runs = [w async for w in api.temporal.list_workflows(
        f"WorkflowId = '{escalation_id}'")]
    assert len(runs) <= 1  # visibility may lag; never more than one run


async def test_a_key_of_a_closed_escalation_answers_the_stored_one(api: ApiStack) -> None:
    key = unique("done")
    opened = (await api.create(key=key)).json()
    cancelled = await api.act(opened["id"], "cancel", {"reason": "duplicate"})
    assert cancelled.status_code == 200, cancelled.text
    again = await api.create(key=key)
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["status"]) == (opened["id"], "cancelled")
    other = await api.create(api.body(title="Something else entirely"), key=key)
    assert other.status_code == 422, other.text


async def test_triage_with_create_opens_the_escalation(api: ApiStack) -> None:
    post = {"text": "I was charged twice for my order, refund please!", "channel": "twitter",
            "author": {"handle": "@acme_cfo", "verified": True, "followers": 52000},
            "customer": {"id": "cust-7", "vip": False}}
    only = await api.http.post("/v1/triage", json=post, headers=api.auth(ENGINEER))
    assert only.status_code == 200
    assert (only.json()["category"], only.json()["should_escalate"]) == ("billing", True)
    created = await api.http.post("/v1/triage?create=true", json=post, headers=api.auth())
    assert created.status_code == 201, created.text
    assert (created.json()["category"], created.json()["stage"]) == ("billing", "communicate")
    assert created.json()["priority"] == only.json()["priority"]


async def test_a_repeat_customer_is_raised_before_the_start(api: ApiStack) -> None:
    """The API counts the customer's history before starting the workflow: the start already
    carries the raised priority (static summary, search attribute), and intake runs no lookup
    of its own before create answers."""
    customer = {"id": f"cust-{uuid.uuid4().hex[:8]}", "name": "Globex", "vip": False}
    body = api.body(category="question", channel="email", customer=customer,
                    title="Where is my export?")
    first = await api.open(**body)
    second = await api.open(**body)
    assert (first["priority"], second["priority"]) == ("P3", "P2")
    assert any("repeat customer (1 prior escalations within P90D)" in reason
               for reason in second["routing"]["reasons"]), second["routing"]
    handle = api.temporal.get_workflow_handle(second["id"])
    summary = await (await handle.describe()).static_summary()
    assert summary is not None
    assert summary.startswith("[P2] ")
    started = (await handle.fetch_history()).events[0]
    priority = started.workflow_execution_started_event_attributes.search_attributes
    assert b"P2" in priority.indexed_fields["EscalationPriority"].data
    scheduled = await scheduled_activities(handle)
    assert "count_prior_escalations" not in scheduled
    assert "record_escalation" in scheduled
