"""Open and drive escalations straight through Temporal, as the API does (for workflow tests)."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy

from domain.enums import Role
from domain.ids import new_escalation_id
from domain.messages import IntakeInput, IntakeResult
from domain.models import Actor, CreateEscalationInput
from domain.policy import Policy
from domain.routing import apply_repeat_customer, route
from domain.state import EscalationRequest
from workflows.escalation import EscalationWorkflow
from workflows.start import start_operation

IM = Actor(name="alice", role=Role.INCIDENT_MANAGER)
ENGINEER = Actor(name="bob", role=Role.ENGINEER)
LEAD = Actor(name="sam", role=Role.ENGAGEMENT_LEAD)


async def open_escalation(
    client: Client,
    *,
    task_queue: str,
    policy: Policy,
    body: dict[str, Any],
    escalation_id: str | None = None,
    prior_escalations: int | None = 0,
) -> tuple[WorkflowHandle[EscalationWorkflow, Any], IntakeResult]:
    """`prior_escalations`: the customer's history as the API counts it before the start (the
    request then carries the final routing, as the API sends it); None opens the escalation as
    an API did before it counted (the workflow looks the history up itself)."""
    request = CreateEscalationInput.model_validate(body)
    escalation_id = escalation_id or new_escalation_id(
        int(time.time() * 1000), secrets.token_bytes(10))
    request_id = uuid.uuid4().hex
    request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    decision = route(policy, request)
    counted = (request.customer is not None and not decision.priority_locked
               and prior_escalations is not None)
    if counted:
        assert prior_escalations is not None
        decision = apply_repeat_customer(decision, policy, prior_escalations)
    payload = EscalationRequest(
        id=escalation_id, request=request, routing=decision, policy=policy.snapshot(),
        created_by=IM.name, request_id=request_id, request_hash=request_hash,
        routing_final=prior_escalations is not None,
        prior_escalations=prior_escalations if counted else None,
    )
    result = await client.execute_update_with_start_workflow(
        EscalationWorkflow.intake,
        IntakeInput(request_id=request_id, request_hash=request_hash),
        # Some tests open a fixed id again after terminating the first run.
        start_workflow_operation=start_operation(
            payload, task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE),
    )
    return client.get_workflow_handle_for(EscalationWorkflow.run, escalation_id), result
