"""`apply`: what an accepted action does, and the handlers of the working stages.

The close-stage actions and cancel have their handlers in `closing`; `apply` dispatches to all.
"""

from __future__ import annotations

from datetime import datetime

from domain import recipients as to
from domain.casework import MergeInput, NoteInput
from domain.enums import (
    Audience,
    EscalationType,
    Gate,
    Level,
    NotificationEvent,
    ResolutionState,
    SlaOutcome,
    Stage,
    TimelineType,
)
from domain.errors import InvalidAction
from domain.lifecycle import complaints, gates, pausing, retriaging
from domain.lifecycle.closing import cancel, share_customer_rca, submit_internal_rca
from domain.lifecycle.merging import merge
from domain.lifecycle.notes import add_note
from domain.lifecycle.replies import message_of
from domain.lifecycle.rules import ACTION_OF
from domain.lifecycle.steps import (
    advance,
    change_stage,
    escalate_level,
    notify_audiences,
    restart_cadence,
    send_notice,
    unique,
    unique_customers,
    unique_recipients,
)
from domain.models import (
    AcknowledgeInput,
    ActionInput,
    ActionPlan,
    ActionPlanInput,
    ActionPlanVersion,
    AddDetailsInput,
    CancelInput,
    ComplaintAckInput,
    CustomerAccessInput,
    CustomerRcaInput,
    DeescalateInput,
    DelayNoticeInput,
    EscalateInput,
    IdrResponseInput,
    InternalRcaInput,
    NoticeInput,
    PauseInput,
    Recipient,
    ResolutionInput,
    ResolveEarlyInput,
    ResumeInput,
    RetriageInput,
    StatusUpdateInput,
    TaskForceInput,
    VerificationInput,
)
from domain.state import EscalationState
from domain.transition import Transition, Tx


def apply(
    state: EscalationState, command: ActionInput, *, at: datetime, gate_clocks: bool = True
) -> Transition:
    """Apply an accepted action. Call ensure_allowed first (the validator does).

    `gate_clocks` False: a declaration or verification of an escalation that replays history
    from before the resolve gates had clocks (workflows/patches.py, RESOLUTION_GATE_CLOCKS)."""
    action = ACTION_OF[type(command)]
    actor = command.actor.name if command.actor else "system"
    tx = Tx(state, at, actor)
    match command:
        case AcknowledgeInput():
            _acknowledge(tx, command.owner or actor)
        case AddDetailsInput():
            _add_details(tx, command)
        case NoticeInput():
            send_notice(tx, message_of(state, command), command.audiences, automatic=False)
        case StatusUpdateInput():
            _status_update(tx, command)
        case ActionPlanInput():
            _set_action_plan(tx, command)
        case EscalateInput():
            _escalate(tx, command)
        case TaskForceInput():
            _deploy_task_force(tx, command.members)
        case ResolutionInput():
            _declare_resolution(tx, command.summary, clocks=gate_clocks)
        case VerificationInput():
            _verify(tx, command, clocks=gate_clocks)
        case CustomerAccessInput():
            _confirm_access(tx, command)
        case InternalRcaInput():
            submit_internal_rca(tx, command)
        case CustomerRcaInput():
            share_customer_rca(tx, command.summary)
        case CancelInput():
            cancel(tx, command.reason)
        case ComplaintAckInput():
            complaints.acknowledge_complaint(tx, command.message, automatic=False)
        case ResolveEarlyInput():
            complaints.resolve_early(tx, command)
        case DelayNoticeInput():
            complaints.send_delay_notice(tx, command.reasons)
        case IdrResponseInput():
            complaints.send_idr_response(tx, command.outcome, command.reasons,
                                         command.compensation)
        case PauseInput():
            pausing.pause(tx, command)
        case ResumeInput():
            pausing.resume(tx, command.note, by="hand")
        case RetriageInput():
            retriaging.retriage(tx, command)
        case DeescalateInput():
            retriaging.deescalate(tx, command.reason)
        case MergeInput():
            merge(tx, command)
        case NoteInput():
            add_note(tx, command)
        case _:  # pragma: no cover - INPUTS covers every action
            raise InvalidAction(f"unknown action {action}")
    advance(tx)
    pausing.end_if_closed(tx)
    return tx.done()


def _acknowledge(tx: Tx, owner: str) -> None:
    s = tx.state
    first = s.acknowledged_at is None
    previous = s.owner
    s.owner = owner
    if first:
        s.acknowledged_at = tx.at
        if s.sla.acknowledge is SlaOutcome.PENDING:
            s.sla.acknowledge = SlaOutcome.MET
    tx.log(TimelineType.ACKNOWLEDGED, {"owner": owner, "previous_owner": previous, "first": first})


def _add_details(tx: Tx, command: AddDetailsInput) -> None:
    s = tx.state
    before = {
        "affected_customers": len(s.affected_customers),
        "affected_services": len(s.affected_services),
        "related_records": len(s.related_records),
        "problem_records": len(s.problem_records),
        "stakeholders": len(s.stakeholders),
    }
    s.affected_customers = unique_customers(s.affected_customers, command.affected_customers)
    s.affected_services = unique(s.affected_services, command.affected_services)
    s.related_records = unique(s.related_records, command.related_records)
    s.problem_records = unique(s.problem_records, command.problem_records)
    s.stakeholders = unique_recipients(s.stakeholders, command.stakeholders)
    added = {
        "affected_customers": [c.id for c in s.affected_customers[before["affected_customers"]:]],
        "affected_services": s.affected_services[before["affected_services"]:],
        "related_records": s.related_records[before["related_records"]:],
        "problem_records": s.problem_records[before["problem_records"]:],
        "stakeholders": [r.name for r in s.stakeholders[before["stakeholders"]:]],
    }
    tx.log(TimelineType.DETAILS_ADDED, {"added": {k: v for k, v in added.items() if v}})


def _status_update(tx: Tx, command: StatusUpdateInput) -> None:
    s = tx.state
    if s.resolution_state is ResolutionState.WORKING:
        restart_cadence(tx)
    message = message_of(s, command) or ""
    text = to.fill(s.policy.templates.status_update, s, message=message)
    details: dict[str, object] = {"message": message,
                                  "audiences": [a.value for a in command.audiences]}
    if command.saved_reply is not None:
        details["saved_reply"] = command.saved_reply
    tx.log(TimelineType.STATUS_UPDATE, details)
    notify_audiences(tx, NotificationEvent.STATUS_UPDATE, command.audiences,
                     subject=f"Update: {s.title}", message=text)


def _set_action_plan(tx: Tx, command: ActionPlanInput) -> None:
    s = tx.state
    version = (s.action_plan.version if s.action_plan else 0) + 1
    entry = ActionPlanVersion(version=version, steps=command.steps, note=command.note,
                              set_by=tx.actor, set_at=tx.at)
    history = [*(s.action_plan.history if s.action_plan else []), entry]
    s.action_plan = ActionPlan(version=version, steps=command.steps, note=command.note,
                               history=history)
    tx.log(TimelineType.ACTION_PLAN_SET,
           {"version": version, "steps": len(command.steps), "note": command.note})


def _escalate(tx: Tx, command: EscalateInput) -> None:
    s = tx.state
    if command.type is EscalationType.HIERARCHICAL:
        escalate_level(tx, s.level.raised(), kind=EscalationType.HIERARCHICAL,
                       reason=command.reason)
        return
    assert command.team is not None
    previous = s.team
    s.team = command.team
    tx.log(TimelineType.ESCALATED,
           {"type": "functional", "reason": command.reason, "from_team": previous,
            "to_team": command.team})
    tx.notify(
        NotificationEvent.ESCALATED,
        to.team_reach(s, Level.AGENT) + to.team_reach(s, s.level),
        subject=f"[{s.priority.value}] Escalation handed to {command.team}: {s.title}",
        message=f"{s.title} was escalated from {previous} to {command.team}: {command.reason}",
    )


def _deploy_task_force(tx: Tx, members: list[Recipient]) -> None:
    s = tx.state
    s.task_force.members = unique_recipients(s.task_force.members, members)
    s.task_force.active = True
    tx.log(TimelineType.TASK_FORCE_DEPLOYED, {"members": [m.name for m in s.task_force.members]})
    tx.notify(NotificationEvent.TASK_FORCE, to.reach(s.task_force.members, "nobody is on it"),
              subject=f"[{s.priority.value}] Task force: {s.title}",
              message=f"You are on the task force for {s.title}.")


def _declare_resolution(tx: Tx, summary: str, *, clocks: bool) -> None:
    s = tx.state
    s.resolution_state = ResolutionState.DECLARED
    s.resolution = summary
    s.resolution_declared_at = tx.at
    if s.sla.resolve is SlaOutcome.PENDING:
        s.sla.resolve = SlaOutcome.MET
    s.deadlines.next_update_due = None
    if clocks:
        gates.open_gate(tx, Gate.VERIFY)
    tx.log(TimelineType.RESOLUTION_DECLARED,
           {"summary": summary, "verify_due": _iso(s.deadlines.verify_due)})
    gates.ask(tx, Gate.VERIFY)
    if s.task_force.active:
        s.task_force.active = False
        members = [m.name for m in s.task_force.members]
        tx.log(TimelineType.TASK_FORCE_SUSPENDED, {"members": members})
        tx.notify(NotificationEvent.TASK_FORCE, s.task_force.members,
                  subject=f"Task force suspended: {s.title}",
                  message=f"A resolution was declared for {s.title}; the task force stands down.")


def _back_to_working(tx: Tx) -> None:
    s = tx.state
    s.resolution_state = ResolutionState.WORKING
    s.resolved_at = None
    if s.sla.resolve is SlaOutcome.MET:
        s.sla.resolve = SlaOutcome.PENDING  # the deadline runs again (and may fire at once)
    if s.notice_sent_at is not None:
        restart_cadence(tx)


def _verify(tx: Tx, command: VerificationInput, *, clocks: bool) -> None:
    s = tx.state
    gates.close_gate(tx, Gate.VERIFY)
    if not command.verified:
        tx.log(TimelineType.RESOLUTION_REJECTED, {"note": command.note})
        _back_to_working(tx)
        return
    s.resolution_state = ResolutionState.VERIFIED
    s.resolved_at = tx.at
    if clocks:
        gates.open_gate(tx, Gate.CONFIRM)
    tx.log(TimelineType.RESOLUTION_VERIFIED,
           {"note": command.note, "confirm_due": _iso(s.deadlines.confirm_due)})
    text = to.fill(s.policy.templates.resolution, s, summary=s.resolution or "")
    notify_audiences(tx, NotificationEvent.RESOLUTION_VERIFIED,
                     [Audience.INTERNAL, Audience.CUSTOMERS],
                     subject=f"Resolved: {s.title}", message=text)
    if clocks:  # the ask is a delivery of its own: escalations replaying older code had none
        gates.ask(tx, Gate.CONFIRM)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _confirm_access(tx: Tx, command: CustomerAccessInput) -> None:
    s = tx.state
    gates.close_gate(tx, Gate.CONFIRM)
    if not command.confirmed:
        tx.log(TimelineType.CUSTOMER_ACCESS_DENIED, {"note": command.note})
        _back_to_working(tx)
        return
    s.resolution_state = ResolutionState.CONFIRMED
    tx.log(TimelineType.CUSTOMER_ACCESS_CONFIRMED, {"note": command.note})
    change_stage(tx, Stage.CLOSE)
