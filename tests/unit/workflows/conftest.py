from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from store.engine import create_engine_for, session_factory
from tests.support.policies import loopback_policy
from tests.support.receivers import HttpReceiver
from tests.support.runners import runner_settings
from tests.unit.workflows.rig import Rig
from worker.build import create_worker

HISTORIES = Path(__file__).resolve().parents[2] / "histories"


@pytest_asyncio.fixture
async def rig(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Rig]:
    """Parametrized indirectly with a runner of tests.support.runners.RUNNERS, the worker runs
    on that one; otherwise on the one the environment's settings pick."""
    async with rig_for(time_skipping_env, tmp_path, request) as found:
        yield found


@asynccontextmanager
async def rig_for(time_skipping_env: WorkflowEnvironment, tmp_path: Path,
                  request: pytest.FixtureRequest, *, environ: Mapping[str, str] | None = None
                  ) -> AsyncIterator[Rig]:
    """The rig, its worker reading related systems' credentials from `environ` (none by
    default: no test reads the environment it happens to run in)."""
    runner: str | None = getattr(request, "param", None)
    settings = runner_settings(runner, database_url=f"sqlite:///{tmp_path / 'store.db'}",
                               temporal_task_queue=f"test-{uuid.uuid4()}")
    async with HttpReceiver() as receiver, create_worker(time_skipping_env.client, settings,
                                                         environ=environ or {}):
        engine = create_engine_for(settings.resolved_database_url)
        rig = Rig(env=time_skipping_env, task_queue=settings.temporal_task_queue,
                  receiver=receiver, sessions=session_factory(engine),
                  policy=loopback_policy(receiver.url("")))
        try:
            yield rig
            # Once per test: the stock runner's histories are the fast one's.
            if os.environ.get("RECORD_HISTORIES") and runner != "stock":
                await _record(rig, request.node.originalname)
        finally:
            await _stop_leftovers(rig)
            engine.dispose()


async def _stop_leftovers(rig: Rig) -> None:
    """The test server's clock is shared: a workflow left running on a queue nobody polls any
    more would block time skipping for every later test."""
    for handle in [*rig.opened, *rig.others]:
        description = await handle.describe()
        if description.status == WorkflowExecutionStatus.RUNNING:
            await handle.terminate("test finished")


async def _record(rig: Rig, test_name: str) -> None:
    """Save each escalation's history as a replay fixture (tests/replay replays them all)."""
    HISTORIES.mkdir(exist_ok=True)
    for n, handle in enumerate([*rig.opened, *rig.others]):
        history = await handle.fetch_history()
        name = re.sub(r"[^a-z0-9_]+", "_", test_name.lower()).strip("_")
        (HISTORIES / f"{name}_{n}.json").write_text(history.to_json())
