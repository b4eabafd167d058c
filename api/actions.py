"""The action layer: opening an escalation and taking an action, as routes and the CLI call them.

Every call reaches the escalation's workflow through one update (update-with-start for a new
one); the workflow validates and serialises. Failures come back typed and leave as problems.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast

from pydantic import BaseModel
from temporalio.client import WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api import failures
from api.hosts import check_addresses
from api.idempotency import escalation_id_for, request_hash
from api.problems import FieldError, Problem, conflict, not_found, unprocessable
from api.resources import Resources
from config.sealing import seal_addresses
from domain.enums import Action, Stage, Status
from domain.messages import IntakeInput, IntakeResult, WorkflowInput
from domain.models import (
    ActionInput,
    Actor,
    AddDetailsInput,
    CreateEscalationInput,
    EscalationView,
    TaskForceInput,
)
from domain.routing import RoutingDecision, apply_repeat_customer, route
from domain.state import EscalationRequest, LinkBases
from store.queries import count_prior_escalations, get_escalation, get_request_hash
from workflows import search_attributes as sa
from workflows.escalation import EscalationWorkflow

# Filled by the API from the token and If-Match; a client sending them is sending unknown fields.
_SERVER_FIELDS = ("actor", "expected_version")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Opened:
    escalation: EscalationView
    created: bool  # False: an earlier request with the same Idempotency-Key opened it


async def stored_escalation(resources: Resources, escalation_id: str) -> EscalationView | None:
    return await resources.read(lambda s: get_escalation(s, escalation_id))


async def prior_escalations(resources: Resources, customer_id: str, *, exclude_id: str = "") -> int:
    """The customer's escalations inside the policy's repeat-customer window (0 without one)."""
    signal = resources.policy.priority_signals.repeat_customer
    if signal is None:
        return 0
    since = datetime.now(UTC) - signal.within
    return await resources.read(lambda s: count_prior_escalations(
        s, customer_id=customer_id, since=since, exclude_id=exclude_id))


async def _prior_for(resources: Resources, body: CreateEscalationInput, decision: RoutingDecision,
                     escalation_id: str) -> int | None:
    """Counted before the start, when the repeat-customer signal may apply: the start then
    carries the final priority, and intake needs no store round trip of its own (one activity
    and one workflow task less before create answers)."""
    if body.customer is None or decision.priority_locked:
        return None
    return await prior_escalations(resources, body.customer.id, exclude_id=escalation_id)


def _start_options(
    resources: Resources, request: EscalationRequest, decision: RoutingDecision
) -> WithStartWorkflowOperation[EscalationWorkflow, object]:
    body = request.request
    customers = sorted({c.id for c in body.affected_customers}
                       | ({body.customer.id} if body.customer else set()))
    customer = (body.customer.name or body.customer.id) if body.customer else "no customer"
    return WithStartWorkflowOperation(
        EscalationWorkflow.run,
        WorkflowInput(request=request),
        id=request.id,
        task_queue=resources.settings.temporal_task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        # A closed escalation keeps its id: a late retry must not start it over.
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        static_summary=f"[{decision.priority.value}] {body.title} ({customer})",
        static_details=(
            f"**{body.title}**\n\n- priority {decision.priority.value},"
            f" {decision.temperature.value}"
            f"\n- customer: {customer}\n- team {decision.team}, tier {decision.tier}"
            f" (rule {decision.rule})\n- category {body.category.value}, channel"
            f" {body.channel.value}\n- opened by {request.created_by}"
        ),
        search_attributes=TypedSearchAttributes([
            SearchAttributePair(sa.STAGE, Stage.START.value),
            SearchAttributePair(sa.STATUS, Status.OPEN.value),
            SearchAttributePair(sa.PRIORITY, decision.priority.value),
            SearchAttributePair(sa.TIER, decision.tier),
            SearchAttributePair(sa.TEAM, decision.team),
            SearchAttributePair(sa.CUSTOMERS, customers),
            SearchAttributePair(sa.SLA_BREACHED, False),
        ]),
    )


def _forget_start_outcome(start: WithStartWorkflowOperation[EscalationWorkflow, object]) -> None:
    """After a failed call the SDK leaves the start's outcome on a future nobody awaits, and
    asyncio would log "Future exception was never retrieved"; we never need that handle (the
    workflow id is ours), so mark the outcome as seen. There is no public accessor for it."""
    outcome = start._workflow_handle
    if outcome.done() and not outcome.cancelled():
        outcome.exception()


async def open_escalation(
    resources: Resources,
    body: CreateEscalationInput,
    *,
    actor: Actor,
    idempotency_key: str | None,
) -> Opened:
    check_addresses(body, resources.host_rules)
    escalation_id = escalation_id_for(idempotency_key)
    fingerprint = request_hash(body)
    if idempotency_key is not None:
        # A workflow that completed long ago may be gone from Temporal; the store still knows it.
        stored = await stored_escalation(resources, escalation_id)
        if stored is not None and stored.status is not Status.OPEN:
            await _same_request_as_stored(resources, escalation_id, fingerprint)
            return Opened(stored, created=False)
    settings = resources.settings
    decision = route(resources.policy, body)
    prior = await _prior_for(resources, body, decision, escalation_id)
    request = EscalationRequest(
        id=escalation_id,
        # Sealed after the fingerprint: a retry with the same body still matches it.
        request=_sealed(resources, body),
        routing=decision,
        policy=resources.policy_snapshot,
        links=LinkBases(api=settings.escalations_public_url, temporal_ui=settings.temporal_ui_url,
                        namespace=settings.temporal_namespace),
        created_by=actor.name,
        request_id=uuid.uuid4().hex,
        request_hash=fingerprint,
        prior_escalations=prior,
    )
    client = await resources.temporal.client()
    final = decision if prior is None else apply_repeat_customer(decision, resources.policy, prior)
    start = _start_options(resources, request, final)
    try:
        async with resources.temporal.deadline():
            # cast: the SDK types an async update's result as its coroutine.
            result = cast(IntakeResult, await client.execute_update_with_start_workflow(
                EscalationWorkflow.intake,
                IntakeInput(request_id=request.request_id, request_hash=fingerprint),
                start_workflow_operation=start,
                rpc_timeout=resources.temporal.timeout,
            ))
    except WorkflowAlreadyStartedError:
        stored = await stored_escalation(resources, escalation_id)
        if stored is None:
            raise conflict("An escalation with this Idempotency-Key existed and is gone.") from None
        await _same_request_as_stored(resources, escalation_id, fingerprint)
        return Opened(stored, created=False)
    except WorkflowUpdateFailedError as failure:
        raise failures.from_update_failure(failure) from None
    finally:
        _forget_start_outcome(start)
    if not result.same_request:
        raise _key_reused()
    return Opened(result.escalation, created=result.created)


def _sealed(resources: Resources, command: M) -> M:
    """Credentials in recipient URLs stay out of the workflow's history (domain/sealed.py)."""
    return command if resources.sealer is None else seal_addresses(command, resources.sealer)


def _key_reused() -> Exception:
    return unprocessable(
        [FieldError(field="header.idempotency-key", message="already used with a different body")],
        "Idempotency-Key reused with a different body.",
    )


async def _same_request_as_stored(
    resources: Resources, escalation_id: str, fingerprint: str
) -> None:
    stored_hash = await resources.read(lambda s: get_request_hash(s, escalation_id))
    if stored_hash is not None and stored_hash != fingerprint:
        raise _key_reused()


def _server_fields_refused(command: ActionInput) -> None:
    sent = sorted(command.model_fields_set & set(_SERVER_FIELDS))
    if sent:
        raise unprocessable(
            [FieldError(field=name, message="extra inputs are not permitted") for name in sent]
        )


async def take_action(
    resources: Resources,
    escalation_id: str,
    action: Action,
    command: ActionInput,
    *,
    actor: Actor,
    expected_version: int | None,
) -> EscalationView:
    """Run `action` as the workflow update of the same name; the view after it."""
    _server_fields_refused(command)
    if isinstance(command, AddDetailsInput | TaskForceInput):
        check_addresses(command, resources.host_rules)
        command = _sealed(resources, command)
    command = command.model_copy(update={"actor": actor, "expected_version": expected_version})
    client = await resources.temporal.client()
    handle = client.get_workflow_handle(escalation_id)
    try:
        async with resources.temporal.deadline():
            view: EscalationView = await handle.execute_update(
                action.value, command, result_type=EscalationView,
                rpc_timeout=resources.temporal.timeout,
            )
    except WorkflowUpdateFailedError as failure:
        raise failures.from_update_failure(failure) from None
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        raise await _not_running(resources, escalation_id) from None
    return view


async def _not_running(resources: Resources, escalation_id: str) -> Problem:
    """No running workflow: a closed escalation (409, nothing allowed) or none at all (404)."""
    stored = await stored_escalation(resources, escalation_id)
    if stored is None:
        return not_found(f"No escalation {escalation_id}.")
    return failures.closed(stored)
