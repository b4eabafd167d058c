"""POST /v1/escalations/{id}/{action}: one route per lifecycle action (api.md, "Actions").

Each route admits the roles of domain.lifecycle.ROLES for its action (403 otherwise, before
Temporal is asked), validates the body as the action's input, turns If-Match into the expected
version and answers the escalation after the action, with its version as ETag.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from api.auth import may
from api.deps import EscalationId, EscalationsDep, ExpectedVersion
from api.http.masking import for_role
from api.http.problems import responses
from api.services.escalations import Escalations
from domain.casework import MergeInput, NoteInput
from domain.enums import Action
from domain.models import (
    AcknowledgeInput,
    ActionInput,
    ActionPlanInput,
    Actor,
    AddDetailsInput,
    CancelInput,
    ComplaintAckInput,
    CustomerAccessInput,
    CustomerRcaInput,
    DeescalateInput,
    DelayNoticeInput,
    EscalateInput,
    EscalationView,
    IdrResponseInput,
    InternalRcaInput,
    NoticeInput,
    PauseInput,
    ResolutionInput,
    ResolveEarlyInput,
    ResumeInput,
    RetriageInput,
    StatusUpdateInput,
    TaskForceInput,
    VerificationInput,
)

router = APIRouter(
    prefix="/v1/escalations/{escalation_id}",
    tags=["actions"],
    responses=responses(400, 401, 403, 404, 409, 412, 413, 422, 503),
)

# The path segment of each action (api.md) -> the workflow update it runs.
PATHS: dict[Action, str] = {
    Action.ACKNOWLEDGE: "acknowledge",
    Action.ADD_DETAILS: "details",
    Action.SEND_NOTICE: "notice",
    Action.POST_STATUS_UPDATE: "status-updates",
    Action.SET_ACTION_PLAN: "action-plan",
    Action.ESCALATE: "escalate",
    Action.DEPLOY_TASK_FORCE: "task-force",
    Action.DECLARE_RESOLUTION: "resolution",
    Action.VERIFY_RESOLUTION: "verification",
    Action.CONFIRM_CUSTOMER_ACCESS: "customer-access",
    Action.SUBMIT_INTERNAL_RCA: "rca/internal",
    Action.SHARE_CUSTOMER_RCA: "rca/customer",
    Action.CANCEL: "cancel",
    Action.ACKNOWLEDGE_COMPLAINT: "complaint-ack",
    Action.RESOLVE_EARLY: "resolve-early",
    Action.SEND_DELAY_NOTICE: "delay-notice",
    Action.SEND_IDR_RESPONSE: "idr-response",
    Action.PAUSE: "pause",
    Action.RESUME: "resume",
    Action.RETRIAGE: "retriage",
    Action.DEESCALATE: "deescalate",
    Action.MERGE: "merge",
    Action.ADD_NOTE: "notes",
}


def _actor(action: Action) -> object:
    return Depends(may(action))


async def _act(
    action: Action,
    command: ActionInput,
    *,
    escalations: Escalations,
    escalation_id: str,
    actor: Actor,
    expected: int | None,
    response: Response,
) -> EscalationView:
    view = await escalations.act(escalation_id, action, command, actor=actor,
                                 expected_version=expected)
    response.headers["ETag"] = f'"{view.version}"'
    return for_role(view, actor.role)


@router.post("/acknowledge")
async def acknowledge(
    actor: Annotated[Actor, _actor(Action.ACKNOWLEDGE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: AcknowledgeInput | None = None,
) -> EscalationView:
    """Take ownership; the owner defaults to the caller."""
    return await _act(Action.ACKNOWLEDGE, body or AcknowledgeInput(), escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/details")
async def add_details(
    actor: Annotated[Actor, _actor(Action.ADD_DETAILS)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: AddDetailsInput,
) -> EscalationView:
    """Add affected customers, services, records or stakeholders (merged, no duplicates)."""
    return await _act(Action.ADD_DETAILS, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/notice")
async def send_notice(
    actor: Annotated[Actor, _actor(Action.SEND_NOTICE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: NoticeInput | None = None,
) -> EscalationView:
    """Send the notice to internal stakeholders and/or affected customers."""
    return await _act(Action.SEND_NOTICE, body or NoticeInput(), escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/status-updates")
async def post_status_update(
    actor: Annotated[Actor, _actor(Action.POST_STATUS_UPDATE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: StatusUpdateInput,
) -> EscalationView:
    """Post a status update (after the first notice); restarts the update cadence."""
    return await _act(Action.POST_STATUS_UPDATE, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/action-plan")
async def set_action_plan(
    actor: Annotated[Actor, _actor(Action.SET_ACTION_PLAN)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: ActionPlanInput,
) -> EscalationView:
    """Set a new version of the action plan."""
    return await _act(Action.SET_ACTION_PLAN, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/escalate")
async def escalate(
    actor: Annotated[Actor, _actor(Action.ESCALATE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: EscalateInput,
) -> EscalationView:
    """Escalate functionally (to another team) or hierarchically (one level up)."""
    return await _act(Action.ESCALATE, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/task-force")
async def deploy_task_force(
    actor: Annotated[Actor, _actor(Action.DEPLOY_TASK_FORCE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: TaskForceInput,
) -> EscalationView:
    """Deploy a task force; its members are notified."""
    return await _act(Action.DEPLOY_TASK_FORCE, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/resolution")
async def declare_resolution(
    actor: Annotated[Actor, _actor(Action.DECLARE_RESOLUTION)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: ResolutionInput,
) -> EscalationView:
    """Declare a resolution; it awaits an engineer's verification."""
    return await _act(Action.DECLARE_RESOLUTION, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/verification")
async def verify_resolution(
    actor: Annotated[Actor, _actor(Action.VERIFY_RESOLUTION)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: VerificationInput,
) -> EscalationView:
    """Verify (or reject) the declared resolution."""
    return await _act(Action.VERIFY_RESOLUTION, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/customer-access")
async def confirm_customer_access(
    actor: Annotated[Actor, _actor(Action.CONFIRM_CUSTOMER_ACCESS)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: CustomerAccessInput,
) -> EscalationView:
    """Confirm (or deny) that the customer has access again; confirmed moves to close."""
    return await _act(Action.CONFIRM_CUSTOMER_ACCESS, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/rca/internal")
async def submit_internal_rca(
    actor: Annotated[Actor, _actor(Action.SUBMIT_INTERNAL_RCA)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: InternalRcaInput,
) -> EscalationView:
    """Submit the internal RCA; the customer RCA task goes to the engagement lead."""
    return await _act(Action.SUBMIT_INTERNAL_RCA, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/rca/customer")
async def share_customer_rca(
    actor: Annotated[Actor, _actor(Action.SHARE_CUSTOMER_RCA)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: CustomerRcaInput,
) -> EscalationView:
    """Share the customer-facing RCA; the escalation closes."""
    return await _act(Action.SHARE_CUSTOMER_RCA, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/cancel")
async def cancel(
    actor: Annotated[Actor, _actor(Action.CANCEL)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: CancelInput,
) -> EscalationView:
    """Cancel the escalation; stakeholders are told and its timers stop."""
    return await _act(Action.CANCEL, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/complaint-ack")
async def acknowledge_complaint(
    actor: Annotated[Actor, _actor(Action.ACKNOWLEDGE_COMPLAINT)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: ComplaintAckInput | None = None,
) -> EscalationView:
    """Acknowledge the complaint to the complainant (the policy's template by default)."""
    return await _act(Action.ACKNOWLEDGE_COMPLAINT, body or ComplaintAckInput(),
                      escalations=escalations, escalation_id=escalation_id, actor=actor,
                      expected=expected, response=response)


@router.post("/resolve-early")
async def resolve_early(
    actor: Annotated[Actor, _actor(Action.RESOLVE_EARLY)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: ResolveEarlyInput,
) -> EscalationView:
    """Record a resolution to the complainant's satisfaction within five business days."""
    return await _act(Action.RESOLVE_EARLY, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/delay-notice")
async def send_delay_notice(
    actor: Annotated[Actor, _actor(Action.SEND_DELAY_NOTICE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: DelayNoticeInput,
) -> EscalationView:
    """Send the complainant the delay notice with its reasons and AFCA's details."""
    return await _act(Action.SEND_DELAY_NOTICE, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/idr-response")
async def send_idr_response(
    actor: Annotated[Actor, _actor(Action.SEND_IDR_RESPONSE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: IdrResponseInput,
) -> EscalationView:
    """Send the final (IDR) response: its outcome, reasons and the AFCA paragraph."""
    return await _act(Action.SEND_IDR_RESPONSE, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/pause")
async def pause(
    actor: Annotated[Actor, _actor(Action.PAUSE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: PauseInput,
) -> EscalationView:
    """Pause the SLA clocks; the notice and complaint clocks keep running."""
    return await _act(Action.PAUSE, body, escalations=escalations, escalation_id=escalation_id,
                      actor=actor, expected=expected, response=response)


@router.post("/resume")
async def resume(
    actor: Annotated[Actor, _actor(Action.RESUME)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: ResumeInput,
) -> EscalationView:
    """Resume the SLA clocks; their deadlines move by the paused time."""
    return await _act(Action.RESUME, body, escalations=escalations, escalation_id=escalation_id,
                      actor=actor, expected=expected, response=response)


@router.post("/retriage")
async def retriage(
    actor: Annotated[Actor, _actor(Action.RETRIAGE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: RetriageInput,
) -> EscalationView:
    """Re-triage: a new priority, category or team; open deadlines recomputed."""
    return await _act(Action.RETRIAGE, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/deescalate")
async def deescalate(
    actor: Annotated[Actor, _actor(Action.DEESCALATE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: DeescalateInput,
) -> EscalationView:
    """De-escalate one level down; the contacts of the level left are told."""
    return await _act(Action.DEESCALATE, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/merge")
async def merge(
    actor: Annotated[Actor, _actor(Action.MERGE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: MergeInput,
) -> EscalationView:
    """Merge this duplicate into `into`; it closes as merged, its customers and records move."""
    return await _act(Action.MERGE, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)


@router.post("/notes")
async def add_note(
    actor: Annotated[Actor, _actor(Action.ADD_NOTE)], escalations: EscalationsDep,
    escalation_id: EscalationId, expected: ExpectedVersion, response: Response,
    body: NoteInput,
) -> EscalationView:
    """Add an internal note (never sent to customers); `@name` notifies that team contact."""
    return await _act(Action.ADD_NOTE, body, escalations=escalations,
                      escalation_id=escalation_id, actor=actor, expected=expected,
                      response=response)
