"""What a parked escalation keeps in the worker's cache.

The SDK holds a run's decoded input for as long as the run lives (days, for a parked
escalation). The workflow lets go of what it no longer needs, so that each escalation in the
cache costs less (docs/benchmarks.md, RSS per held escalation). Nor does the worker on the
fast runner keep views into the run's first activation, which would hold all of it
(worker/fast_runner.py; the SDK's stock runner keeps them).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInstance,
    WorkflowInstanceDetails,
    WorkflowInterceptorClassInput,
    WorkflowRunner,
)

from domain.messages import IntakeResult, WorkflowInput
from tests.support.escalations import open_escalation
from tests.support.policies import loopback_policy
from tests.support.receivers import HttpReceiver
from tests.support.runners import fast_choice, runner_settings
from worker.build import create_worker

# The input object the SDK keeps for each run, by workflow id. Filled from inside the sandbox:
# the interceptor's functions keep this module's globals, they are not re-imported there.
HELD: dict[str, ExecuteWorkflowInput] = {}


class _Inbound(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        HELD[workflow.info().workflow_id] = input
        return await super().execute_workflow(input)


class HeldInputs(Interceptor):
    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        del input
        return _Inbound


@asynccontextmanager
async def _parked(env: WorkflowEnvironment, tmp_path: Path,
                  runner: str | None = None) -> AsyncIterator[IntakeResult]:
    """One P4 escalation opened on our worker (watched by HeldInputs) and parked on its timers;
    `runner` as tests.support.runners.runner_settings takes it."""
    settings = runner_settings(runner, database_url=f"sqlite:///{tmp_path / 'store.db'}",
                               temporal_task_queue=f"test-{uuid.uuid4()}")
    async with HttpReceiver() as receiver, create_worker(
        env.client, settings, interceptors=[HeldInputs()]
    ):
        handle, result = await open_escalation(
            env.client, task_queue=settings.temporal_task_queue,
            policy=loopback_policy(receiver.url("")),
            body={"title": "Export question", "category": "question", "priority": "P4"})
        try:
            yield result
        finally:
            await handle.terminate("test finished")


async def test_a_parked_escalation_no_longer_holds_its_request(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path,
) -> None:
    async with _parked(time_skipping_env, tmp_path) as result:
        held: WorkflowInput = HELD[result.escalation.id].args[0]
        assert result.escalation.stage.value == "communicate"  # intake is done
        assert (held.request, held.state) == (None, None)

def _first_activation() -> WorkflowActivation:
    """A first activation as the worker parses it: start input, a header, a completion result."""
    activation = WorkflowActivation()
    start = activation.jobs.add().initialize_workflow
    start.arguments.add().data = b'{"request": "..."}'
    start.headers["trace"].data = b"span-1"
    start.last_completion_result.payloads.add().data = b"previous"
    parsed = WorkflowActivation()
    parsed.ParseFromString(activation.SerializeToString())
    return parsed


def test_detached_copies_are_not_views_into_the_activation() -> None:
    """A view follows its activation (so it keeps all of it alive); a detached copy does not."""
    fast_choice()  # the module imports the SDK's private classes: only where it is tested
    from worker.fast_runner import detached_headers, detached_payloads

    start = _first_activation().jobs[0].initialize_workflow
    view, copy = start.last_completion_result, detached_payloads(start.last_completion_result)
    headers = detached_headers(start.headers)
    start.last_completion_result.payloads[0].data = b"changed"
    start.headers["trace"].data = b"changed"
    assert view.payloads[0].data == b"changed"
    assert (copy.payloads[0].data, headers["trace"].data) == (b"previous", b"span-1")
    assert type(headers) is dict


async def test_a_parked_escalation_keeps_no_view_into_its_first_activation(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner_class = type(fast_choice().runner)
    created: list[tuple[WorkflowInstanceDetails, WorkflowInstance]] = []
    create_instance = runner_class.create_instance

    def recording(runner: WorkflowRunner, det: WorkflowInstanceDetails) -> WorkflowInstance:
        instance = create_instance(runner, det)
        created.append((det, instance))
        return instance

    monkeypatch.setattr(runner_class, "create_instance", recording)
    async with _parked(time_skipping_env, tmp_path, runner="fast") as result:
        escalation_id = result.escalation.id
        assert type(HELD[escalation_id].headers) is dict  # not the activation's header map
        ours = [(d, i) for d, i in created if d.info.workflow_id == escalation_id]
        assert ours, [d.info.workflow_id for d, _ in created]
        for given, instance in ours:
            given.last_completion_result.payloads.add().data = b"written into the activation"
            kept = instance.instance_details.last_completion_result  # type: ignore[attr-defined]
            assert len(kept.payloads) == 0
