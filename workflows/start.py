"""How a new escalation's workflow is started: its id policies, search attributes and the
Temporal UI's static summary and details, all from the request's final routing.

The API and the tests start escalations through `start_operation`, so what the Temporal UI shows
of a new escalation is decided here once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from workflows import search_attributes as sa
from workflows.escalation import EscalationWorkflow

with workflow.unsafe.imports_passed_through():
    from domain.messages import WorkflowInput
    from domain.state import EscalationRequest


def static_summary(request: EscalationRequest) -> str:
    body, decision = request.request, request.routing
    return f"[{decision.priority.value}] {body.title} ({_customer(request)})"


def static_details(request: EscalationRequest) -> str:
    body, decision = request.request, request.routing
    return (
        f"**{body.title}**\n\n- priority {decision.priority.value}, {decision.temperature.value}"
        f"\n- customer: {_customer(request)}\n- team {decision.team}, tier {decision.tier}"
        f" (rule {decision.rule})\n- category {body.category.value}, channel"
        f" {body.channel.value}\n- opened by {request.created_by}"
    )


def _customer(request: EscalationRequest) -> str:
    customer = request.request.customer
    return (customer.name or customer.id) if customer else "no customer"


def start_operation(
    request: EscalationRequest, *, task_queue: str,
    id_reuse_policy: WorkflowIDReusePolicy = WorkflowIDReusePolicy.REJECT_DUPLICATE,
) -> WithStartWorkflowOperation[EscalationWorkflow, Any]:
    """The start half of update-with-start; the SDK uses each operation once.

    By default a closed escalation keeps its id: a late retry must not start it over."""
    return WithStartWorkflowOperation(
        EscalationWorkflow.run,
        WorkflowInput(request=request),
        id=request.id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=id_reuse_policy,
        static_summary=static_summary(request),
        static_details=static_details(request),
        search_attributes=sa.at_start(request),
    )


async def settle(start: WithStartWorkflowOperation[EscalationWorkflow, Any]) -> None:
    """Take the start's outcome if it has one, so that asyncio does not log an exception
    nobody retrieved ("Future exception was never retrieved") after a failed call.

    The outcome is either set already (awaiting it then does not suspend) or never will be
    (the call failed before the server answered the start): `timeout(0)` tells the two apart
    without waiting, using only the SDK's public `workflow_handle()`.
    """
    try:
        async with asyncio.timeout(0):
            await start.workflow_handle()
    except asyncio.CancelledError:
        # The start's own outcome when our deadline cancelled the call mid-flight; a
        # cancellation of this task is passed on.
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
    except Exception:  # the outcome is only being marked as seen
        return
