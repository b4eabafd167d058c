"""What a parked escalation keeps in the worker's cache.

The SDK holds a run's decoded input for as long as the run lives (days, for a parked
escalation). The workflow lets go of what it no longer needs, so that each escalation in the
cache costs less (docs/benchmarks.md, RSS per held escalation).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from temporalio import workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from config.settings import Settings
from domain.messages import WorkflowInput
from tests.support.escalations import open_escalation
from tests.support.policies import loopback_policy
from tests.support.receivers import HttpReceiver
from worker.build import create_worker

# The input object the SDK keeps for each run, by workflow id. Filled from inside the sandbox:
# the interceptor's functions keep this module's globals, they are not re-imported there.
HELD: dict[str, WorkflowInput] = {}


class _Inbound(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        HELD[workflow.info().workflow_id] = input.args[0]
        return await super().execute_workflow(input)


class HeldInputs(Interceptor):
    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        del input
        return _Inbound


async def test_a_parked_escalation_no_longer_holds_its_request(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path,
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}",
                        temporal_task_queue=f"test-{uuid.uuid4()}")
    async with HttpReceiver() as receiver, create_worker(
        time_skipping_env.client, settings, interceptors=[HeldInputs()]
    ):
        handle, result = await open_escalation(
            time_skipping_env.client, task_queue=settings.temporal_task_queue,
            policy=loopback_policy(receiver.url("")),
            body={"title": "Export question", "category": "question", "priority": "P4"})
        try:
            held = HELD[handle.id]
            assert result.escalation.stage.value == "communicate"  # intake is done
            assert (held.request, held.state) == (None, None)
        finally:
            await handle.terminate("test finished")
