"""Issue #2 end to end: the API drives an escalation to closed on a real dev server, real timers
fire (a short test policy), a webhook receiver on 127.0.0.1 gets exactly the expected
notifications, and Temporal's visibility finds the workflow by its stage while it is there."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config.policy_files import load_policy
from domain.enums import Level
from tests.integration.api_fixtures import (
    ENGINEER,
    IM,
    LEAD,
    ApiStack,
    stack_settings,
    write_keys,
    write_policy,
)
from tests.support.receivers import HttpReceiver
from tests.support.temporal import binary
from tests.support.waiting import until
from worker.build import create_worker

pytestmark = pytest.mark.integration


@asynccontextmanager
async def short_policy_stack(env: WorkflowEnvironment, directory: Path, database_url: str
                             ) -> AsyncIterator[ApiStack]:
    """The default policy with every contact on the receiver and P1's acknowledge SLA at 3 s,
    so a real timer fires during the test; every other deadline stays hours away."""
    async with AsyncExitStack() as stack:
        receiver = await stack.enter_async_context(HttpReceiver())
        policy = write_policy(directory / "policy.toml", receiver.url(""), ["127.0.0.1"])
        text = policy.read_text().replace('acknowledge_within = "PT15M"',
                                          'acknowledge_within = "PT3S"', 1)
        policy.write_text(text)
        settings = stack_settings(env, directory, policy, database_url=database_url)
        tokens = write_keys(directory / "api-keys.toml")
        await stack.enter_async_context(create_worker(env.client, settings))
        manager = await stack.enter_async_context(LifespanManager(create_app(settings)))
        http = await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://api.test",
            timeout=60))
        yield ApiStack(http=http, tokens=tokens, settings=settings, temporal=env.client,
                       receiver=receiver)


def contact_path(policy_file: Path, team: str, who: str) -> str:
    policy = load_policy(policy_file)
    owner = policy.teams[team]
    if who in ("problem_coordinator", "engagement_lead"):
        person = getattr(owner, who)
    else:
        person = owner.contacts.at(Level(who))[0]
    return urlsplit(person.address).path


async def temporal_list(env: WorkflowEnvironment, query: str) -> list[str]:
    """`temporal workflow list --query …`, the CLI an engineer would use."""
    process = await asyncio.create_subprocess_exec(
        binary("temporal"), "workflow", "list", "--address",
        env.client.service_client.config.target_host, "--query", query, "-o", "json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    rows: list[dict[str, Any]] = json.loads(out or b"[]") if out.strip().startswith(b"[") else [
        json.loads(line) for line in out.decode().splitlines() if line.strip()]
    return [row["execution"]["workflowId"] for row in rows]


async def test_api_drives_a_p1_to_closed_with_exact_notifications(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    async with short_policy_stack(dev_env, tmp_path, database_url) as api:
        opened = await api.open()
        esc = opened["id"]
        assert (opened["stage"], opened["priority"], opened["team"]) == ("communicate", "P1",
                                                                         "billing")

        # Nobody acknowledges: the 3 s acknowledge timer fires on the real server.
        async def current() -> dict[str, Any]:
            return (await api.get(f"/v1/escalations/{esc}")).json()  # type: ignore[no-any-return]

        breached = await until(current, lambda v: v["sla"]["acknowledge"] == "breached",
                               what="acknowledge breach")
        assert breached["level"] == "team_lead"

        steps: list[tuple[str, dict[str, Any], Any]] = [
            ("acknowledge", {}, ENGINEER),
            ("notice", {"message": "We are on it", "audiences": ["internal", "customers"]}, IM),
            ("action-plan", {"steps": [{"description": "refund"}], "note": "v1"}, ENGINEER),
        ]
        for path, body, role in steps:
            answer = await api.act(esc, path, body, role=role)
            assert answer.status_code == 200, answer.text
        assert answer.json()["stage"] == "resolve"
        assert esc in await temporal_list(
            dev_env, f"EscalationStage='resolve' AND WorkflowId='{esc}'")
        assert esc in await temporal_list(dev_env, "EscalationStage='resolve' AND SlaBreached=true")

        for path, body, role in [
            ("resolution", {"summary": "refunded"}, IM),
            ("verification", {"verified": True, "note": "checked"}, ENGINEER),
            ("customer-access", {"confirmed": True}, LEAD),
            ("rca/internal", {"summary": "retry", "root_cause": "no key",
                              "corrective_actions": ["add key"]}, ENGINEER),
            ("rca/customer", {"summary": "we refunded everyone"}, LEAD),
        ]:
            answer = await api.act(esc, path, body, role=role)
            assert answer.status_code == 200, (path, answer.text)
        assert answer.json()["status"] == "closed"
        await dev_env.client.get_workflow_handle(esc).result()
        assert esc in await temporal_list(
            dev_env, f"EscalationStatus='closed' AND WorkflowId='{esc}'")

        timeline = (await api.get(f"/v1/escalations/{esc}/timeline")).json()["items"]
        assert [e["type"] for e in timeline] == [
            "created", "routed", "stage_changed", "sla_breached", "escalated", "acknowledged",
            "notice_sent", "action_plan_set", "stage_changed", "resolution_declared",
            "resolution_verified", "customer_access_confirmed", "stage_changed",
            "related_record_outcome", "related_records_closed", "rca_requested",
            "internal_rca_submitted", "rca_requested", "customer_rca_shared", "closed",
        ]
        assert {e["actor"] for e in timeline} == {"alice", "bob", "sam", "system"}

        policy_file = tmp_path / "policy.toml"
        expected = {
            contact_path(policy_file, "billing", "agent"): ["new_escalation",
                                                            "resolution_declared"],
            contact_path(policy_file, "billing", "team_lead"): ["escalated"],
            contact_path(policy_file, "billing", "problem_coordinator"): ["rca_task"],
            # Asked to confirm the customer's access, then handed the customer RCA.
            contact_path(policy_file, "billing", "engagement_lead"): ["resolution_verified",
                                                                      "rca_task"],
            "/finance": ["notice", "resolution_verified"],
            "/customer": ["notice", "resolution_verified", "rca_shared"],
        }
        received: dict[str, list[str]] = {}
        for request in api.receiver.delivered():
            received.setdefault(request.path, []).append(request.json()["event"])
        assert received == expected
        assert api.receiver.duplicates() == {}
