"""Actions over HTTP against a real dev server: concurrency, 409/412 mapping, closed escalations."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.enums import Stage
from domain.lifecycle import ALLOWED
from tests.integration.api_fixtures import ENGINEER, LEAD, VIEWER, ApiStack, api_stack
from tests.support.waiting import until
from worker.build import create_worker

pytestmark = pytest.mark.integration
UNKNOWN = "esc-01jd5k7q3mz8x4c9v2b6n0p1rt"


@pytest_asyncio.fixture(loop_scope="session")
async def api(dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
              ) -> AsyncIterator[ApiStack]:
    async with api_stack(dev_env, tmp_path, database_url=database_url) as stack:
        yield stack


async def test_action_answers_the_view_with_its_version_as_etag(api: ApiStack) -> None:
    opened = await api.open()
    answer = await api.act(opened["id"], "acknowledge", role=ENGINEER, if_match=opened["version"])
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert (view["owner"], view["version"]) == ("bob", opened["version"] + 1)
    assert answer.headers["etag"] == f'"{view["version"]}"'


async def test_two_actions_with_one_if_match_answer_200_and_412(api: ApiStack) -> None:
    opened = await api.open()
    version = f'"{opened["version"]}"'
    answers = await asyncio.gather(
        api.act(opened["id"], "acknowledge", {"owner": "bob"}, role=ENGINEER, if_match=version),
        api.act(opened["id"], "acknowledge", {"owner": "carol"}, if_match=version),
    )
    assert Counter(a.status_code for a in answers) == Counter({200: 1, 412: 1})
    stale = next(a for a in answers if a.status_code == 412)
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["current_version"] == opened["version"] + 1


async def test_action_not_allowed_in_the_stage_is_409_with_the_allowed_actions(
    api: ApiStack,
) -> None:
    opened = await api.open()
    answer = await api.act(opened["id"], "verification", {"verified": True}, role=ENGINEER)
    assert answer.status_code == 409
    problem = answer.json()
    assert problem["stage"] == "communicate"
    assert set(problem["allowed_actions"]) <= {a.value for a in ALLOWED[Stage.COMMUNICATE]}
    assert "send_notice" in problem["allowed_actions"]
    assert "post_status_update" not in problem["allowed_actions"]  # no notice yet


async def test_status_update_before_any_notice_is_409(api: ApiStack) -> None:
    opened = await api.open()
    answer = await api.act(opened["id"], "status-updates", {"message": "still on it"})
    assert answer.status_code == 409
    assert answer.json()["stage"] == "communicate"


async def test_actions_on_a_cancelled_escalation_are_409_with_nothing_allowed(
    api: ApiStack,
) -> None:
    opened = await api.open()
    assert (await api.act(opened["id"], "cancel", {"reason": "duplicate"})).status_code == 200
    answer = await api.act(opened["id"], "acknowledge", role=ENGINEER)
    assert answer.status_code == 409
    assert answer.json()["allowed_actions"] == []


async def test_unknown_escalation_is_404_everywhere(api: ApiStack) -> None:
    assert (await api.get(f"/v1/escalations/{UNKNOWN}")).status_code == 404
    assert (await api.get(f"/v1/escalations/{UNKNOWN}/timeline")).status_code == 404
    assert (await api.act(UNKNOWN, "acknowledge", role=ENGINEER)).status_code == 404


async def test_unknown_team_is_422(api: ApiStack) -> None:
    opened = await api.open()
    answer = await api.act(opened["id"], "escalate",
                           {"type": "functional", "team": "nobody", "reason": "why not"})
    assert answer.status_code == 422
    assert "nobody" in answer.json()["detail"]


async def test_timeline_lists_every_step_with_its_actor(api: ApiStack) -> None:
    opened = await api.open()
    await api.act(opened["id"], "acknowledge", role=ENGINEER)
    await api.act(opened["id"], "notice", {"message": "We are on it.", "audiences": ["internal"]})
    answer = await api.get(f"/v1/escalations/{opened['id']}/timeline", role=VIEWER)
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [e["seq"] for e in items] == list(range(1, len(items) + 1))
    steps = [(e["type"], e["actor"]) for e in items]
    assert steps[:3] == [("created", "alice"), ("routed", "alice"), ("stage_changed", "alice")]
    assert ("acknowledged", "bob") in steps
    assert ("notice_sent", "alice") in steps


async def test_get_is_live_while_open_and_stored_once_closed(api: ApiStack) -> None:
    opened = await api.open()
    live = await api.get(f"/v1/escalations/{opened['id']}", role=LEAD)
    assert (live.status_code, live.headers["x-escalation-source"]) == (200, "live")
    assert live.json()["version"] == opened["version"]
    await api.act(opened["id"], "cancel", {"reason": "duplicate"})
    closed = await api.get(f"/v1/escalations/{opened['id']}")
    assert (closed.headers["x-escalation-source"], closed.json()["status"]) == ("store",
                                                                                 "cancelled")


async def test_viewer_sees_customer_contacts_masked(api: ApiStack) -> None:
    customer = {"id": "cust-42", "name": "Acme Ltd",
                "contact": {"channel": "email", "address": "ops@acme.example"}}
    opened = await api.open(affected_customers=[customer])
    path = f"/v1/escalations/{opened['id']}"
    seen = (await api.get(path, role=VIEWER)).json()["affected_customers"][0]["contact"]
    listed = (await api.get("/v1/escalations", role=VIEWER)).json()["items"][0]
    clear = (await api.get(path, role=ENGINEER)).json()["affected_customers"][0]["contact"]
    assert seen["address"] == "o***@acme.example"
    assert listed["affected_customers"][0]["contact"]["address"] == "o***@acme.example"
    assert clear["address"] == "ops@acme.example"


async def test_without_a_worker_calls_answer_503_not_hang(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    async with api_stack(dev_env, tmp_path, database_url=database_url, worker=False,
                         rpc_timeout=1.0) as lonely:
        created = await lonely.create()
        assert created.status_code == 503
        assert created.headers["content-type"] == "application/problem+json"
        action = await lonely.act(UNKNOWN, "acknowledge", role=ENGINEER)
        assert action.status_code == 404  # no workflow at all: Temporal answers that at once


async def test_when_the_worker_is_gone_reads_fall_back_to_the_store_and_actions_503(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    async with api_stack(dev_env, tmp_path, database_url=database_url, worker=False,
                         rpc_timeout=2.0) as api:
        async with create_worker(dev_env.client, api.settings):
            opened = await api.open()

            async def listed() -> list[str]:
                return [i["id"] for i in (await api.get("/v1/escalations")).json()["items"]]

            # Intake answers once the state exists; its projection may land a moment later.
            await until(listed, lambda ids: opened["id"] in ids, what="the stored escalation")
        read = await api.get(f"/v1/escalations/{opened['id']}")
        assert read.status_code == 200, read.text
        assert read.headers["x-escalation-source"] == "store"
        assert read.json()["version"] == opened["version"]
        action = await api.act(opened["id"], "acknowledge", role=ENGINEER)
        assert action.status_code == 503
        assert action.headers["content-type"] == "application/problem+json"
