"""A policy edit changes new escalations only: a running one keeps its snapshot's deadlines
after the file changes and the API and worker restart (issue #3). The snapshot is what a
workflow reads: the routing rules stay with the API, which applied them (issue #9)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config.policy_files import load_policy
from config.settings import Settings
from domain.intake.policy import IntakePolicy
from tests.integration.api_fixtures import IM, stack_settings, write_keys, write_policy
from tests.support.receivers import HttpReceiver
from worker.build import create_worker

pytestmark = pytest.mark.integration
BODY = {"title": "Site down", "category": "outage"}  # routed P1 by the default rules


@asynccontextmanager
async def running(env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """One API process and one worker, as after a deployment; gone again on exit."""
    async with create_worker(env.client, settings), LifespanManager(create_app(settings)) as m:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=m.app),
                                     base_url="http://api.test", timeout=60) as http:
            yield http


@dataclass(frozen=True)
class Deployment:
    policy: Path  # the policy file both processes read at start
    settings: Settings
    auth: dict[str, str]  # an incident manager's


@contextmanager
def deployment(env: WorkflowEnvironment, directory: Path, database_url: str
               ) -> Iterator[Deployment]:
    """The shipped policy with every contact a loopback receiver, keys, and the settings."""
    with HttpReceiver() as receiver:
        policy = write_policy(directory / "policy.toml", receiver.url(""), ["127.0.0.1"])
        yield Deployment(
            policy=policy,
            settings=stack_settings(env, directory, policy, database_url=database_url),
            auth={"Authorization": f"Bearer {write_keys(directory / 'api-keys.toml')[IM]}"},
        )


def due(view: dict[str, object], name: str) -> datetime:
    deadlines = view["deadlines"]
    assert isinstance(deadlines, dict)
    return datetime.fromisoformat(deadlines[name])


async def test_running_escalation_keeps_its_deadlines_after_the_policy_changes(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    with deployment(dev_env, tmp_path, database_url) as deployed:
        settings, auth, policy = deployed.settings, deployed.auth, deployed.policy
        async with running(dev_env, settings) as http:
            first = (await http.post("/v1/escalations", json=BODY, headers=auth)).json()
        assert due(first, "resolve_due") - datetime.fromisoformat(first["created_at"]) == \
            timedelta(hours=4)

        text = policy.read_text().replace('resolve_within = "PT4H"', 'resolve_within = "PT1H"', 1)
        policy.write_text(text.replace('acknowledge_within = "PT15M"',
                                       'acknowledge_within = "PT5M"', 1))

        async with running(dev_env, settings) as http:
            second = (await http.post("/v1/escalations", json=BODY, headers=auth)).json()
            again = (await http.get(f"/v1/escalations/{first['id']}", headers=auth)).json()

        assert due(second, "resolve_due") - datetime.fromisoformat(second["created_at"]) == \
            timedelta(hours=1)
        assert due(second, "acknowledge_due") - datetime.fromisoformat(second["created_at"]) == \
            timedelta(minutes=5)
        assert again["deadlines"] == first["deadlines"]
        assert again["version"] == first["version"]


async def test_the_workflow_input_carries_the_snapshot_not_the_routing_rules(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    with deployment(dev_env, tmp_path, database_url) as deployed:
        async with running(dev_env, deployed.settings) as http:
            view = (await http.post("/v1/escalations", json=BODY, headers=deployed.auth)).json()

    history = await dev_env.client.get_workflow_handle(view["id"]).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    carried = json.loads(started.input.payloads[0].data)["request"]["policy"]
    full = json.loads(load_policy(deployed.policy).model_dump_json())
    # The API routed by a rule; the workflow gets the outcome, not the rules.
    assert view["routing"]["rule"] != "default"
    assert carried["routing"] == {"rules": [], "default": full["routing"]["default"]}
    assert carried["triage"]["keywords"] == {}
    assert full["routing"]["rules"]
    assert full["triage"]["keywords"]
    # Social intake's section is the API's: the snapshot carries its defaults.
    assert carried["intake"] == json.loads(IntakePolicy().model_dump_json())
    assert full["intake"] != carried["intake"]
    assert {k: v for k, v in carried.items() if k not in ("routing", "triage", "intake")} == \
        {k: v for k, v in full.items() if k not in ("routing", "triage", "intake")}
