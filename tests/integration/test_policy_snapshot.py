"""A policy edit changes new escalations only: a running one keeps its snapshot's deadlines
after the file changes and the API and worker restart (issue #3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config.settings import Settings
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


def due(view: dict[str, object], name: str) -> datetime:
    deadlines = view["deadlines"]
    assert isinstance(deadlines, dict)
    return datetime.fromisoformat(deadlines[name])


async def test_running_escalation_keeps_its_deadlines_after_the_policy_changes(
    dev_env: WorkflowEnvironment, tmp_path: Path, database_url: str
) -> None:
    with HttpReceiver() as receiver:
        policy = write_policy(tmp_path / "policy.toml", receiver.url(""), ["127.0.0.1"])
        settings = stack_settings(dev_env, tmp_path, policy, database_url=database_url)
        auth = {"Authorization": f"Bearer {write_keys(tmp_path / 'api-keys.toml')[IM]}"}

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
