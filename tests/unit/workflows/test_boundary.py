"""The typed Temporal boundary: one update per action under the action's name, activities
registered and called under the names in ActivityName, and start outcomes settled without
reading the SDK's private state."""

from __future__ import annotations

import asyncio
import gc
import uuid
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.intake import IntakeActivities
from activities.merging import MergeActivities
from activities.notify import NotifyActivities
from activities.records.activities import RecordActivities
from activities.store import StoreActivities
from domain.enums import Action
from domain.messages import ActivityName, IntakeInput, WorkflowInput
from workflows.escalation import EscalationWorkflow
from workflows.start import settle
from workflows.updates import UPDATES


def test_every_action_has_its_update_under_its_own_name() -> None:
    assert set(UPDATES) == set(Action)
    for action, update in UPDATES.items():
        assert update._defn.name == action.value


def test_every_activity_is_registered_under_its_listed_name() -> None:
    methods = [StoreActivities.record_escalation, StoreActivities.count_prior_escalations,
               StoreActivities.close_related_records, NotifyActivities.deliver_notification,
               RecordActivities.link_related_record, RecordActivities.close_related_record,
               RecordActivities.open_problem_record, IntakeActivities.measure_spike,
               IntakeActivities.record_spike, IntakeActivities.attach_posts,
               MergeActivities.absorb_duplicate]
    names = set()
    for method in methods:
        definition = activity._Definition.from_callable(method)
        assert definition is not None
        names.add(definition.name)
    assert names == {name.value for name in ActivityName}


async def test_settle_takes_the_outcome_of_a_start_the_server_refused(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    client, escalation_id = time_skipping_env.client, f"esc-{uuid.uuid4().hex}"
    await client.start_workflow(EscalationWorkflow.run, WorkflowInput(), id=escalation_id,
                                task_queue="nobody-polls")
    start = WithStartWorkflowOperation(
        EscalationWorkflow.run, WorkflowInput(), id=escalation_id, task_queue="nobody-polls",
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        # The dev server answers WorkflowAlreadyStartedError, the test server a plain RPCError.
        with pytest.raises((WorkflowAlreadyStartedError, RPCError)):
            await client.execute_update_with_start_workflow(
                EscalationWorkflow.intake, IntakeInput(request_id="r", request_hash="h"),
                start_workflow_operation=start)
        await asyncio.wait_for(settle(start), timeout=1)
        del start
        gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert reported == []  # no "Future exception was never retrieved"


async def test_settle_returns_at_once_when_the_start_never_answered() -> None:
    start = WithStartWorkflowOperation(EscalationWorkflow.run, WorkflowInput(), id="esc-x",
                                       task_queue="q",
                                       id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
    await asyncio.wait_for(settle(start), timeout=1)


class _Outcome:
    """Stands in for a start operation: settle() only asks for its outcome."""

    def __init__(self, outcome: BaseException | None) -> None:
        self.outcome = outcome

    async def workflow_handle(self) -> None:
        if self.outcome is None:
            await asyncio.Future()  # never answered
        raise self.outcome


@pytest.mark.parametrize("outcome", [asyncio.CancelledError(), RuntimeError("refused"), None])
async def test_settle_swallows_the_outcome_of_a_call_our_deadline_cancelled(
    outcome: BaseException | None,
) -> None:
    await asyncio.wait_for(settle(_Outcome(outcome)), timeout=1)  # type: ignore[arg-type]


async def test_settle_passes_on_a_cancellation_of_its_own_task() -> None:
    task = asyncio.create_task(settle(_Outcome(None)))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
