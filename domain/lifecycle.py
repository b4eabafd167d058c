"""The lifecycle: which action each stage allows, who may take it, and what it does.

`apply` decides; the workflow only sequences the Transition it returns (STYLE rule 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from domain import recipients as to
from domain.calendar import due_at
from domain.enums import (
    Action,
    Audience,
    EscalationType,
    Level,
    NotificationAudience,
    NotificationEvent,
    RcaKind,
    RcaStatus,
    ResolutionState,
    Role,
    SlaOutcome,
    Stage,
    Status,
    TimelineType,
)
from domain.errors import ActionNotAllowed, InvalidAction, RoleNotAllowed, VersionConflict
from domain.models import (
    AcknowledgeInput,
    ActionInput,
    ActionPlan,
    ActionPlanInput,
    ActionPlanVersion,
    AddDetailsInput,
    AffectedCustomer,
    CancelInput,
    CustomerAccessInput,
    CustomerRcaInput,
    Deadlines,
    EscalateInput,
    InternalRcaInput,
    NoticeInput,
    RcaTask,
    Recipient,
    ResolutionInput,
    Routing,
    StatusUpdateInput,
    TaskForceInput,
    VerificationInput,
)
from domain.routing import RoutingDecision
from domain.state import EscalationRequest, EscalationState
from domain.transition import Transition, Tx

_ANY_TIME = frozenset({Action.ACKNOWLEDGE, Action.ADD_DETAILS, Action.CANCEL})
_COMMUNICATE = _ANY_TIME | {
    Action.SEND_NOTICE,
    Action.POST_STATUS_UPDATE,
    Action.SET_ACTION_PLAN,
    Action.ESCALATE,
}

ALLOWED: Mapping[Stage, frozenset[Action]] = {
    Stage.START: _ANY_TIME,
    Stage.COMMUNICATE: _COMMUNICATE,
    Stage.RESOLVE: _COMMUNICATE
    | {
        Action.DEPLOY_TASK_FORCE,
        Action.DECLARE_RESOLUTION,
        Action.VERIFY_RESOLUTION,
        Action.CONFIRM_CUSTOMER_ACCESS,
    },
    Stage.CLOSE: frozenset({Action.SUBMIT_INTERNAL_RCA, Action.SHARE_CUSTOMER_RCA, Action.CANCEL}),
}

_IM = Role.INCIDENT_MANAGER
_HANDS_ON = frozenset({_IM, Role.ENGINEER})
ROLES: Mapping[Action, frozenset[Role]] = {
    Action.ACKNOWLEDGE: _HANDS_ON,
    Action.ADD_DETAILS: _HANDS_ON,
    Action.SEND_NOTICE: frozenset({_IM}),
    Action.POST_STATUS_UPDATE: _HANDS_ON,
    Action.SET_ACTION_PLAN: _HANDS_ON,
    Action.ESCALATE: _HANDS_ON,
    Action.DEPLOY_TASK_FORCE: frozenset({_IM}),
    Action.DECLARE_RESOLUTION: frozenset({_IM}),
    # Separation of duties: the engineer verifies what a manager declared (api.md's table).
    Action.VERIFY_RESOLUTION: frozenset({Role.ENGINEER}),
    Action.CONFIRM_CUSTOMER_ACCESS: frozenset({Role.ENGAGEMENT_LEAD}),
    Action.SUBMIT_INTERNAL_RCA: _HANDS_ON,
    Action.SHARE_CUSTOMER_RCA: frozenset({Role.ENGAGEMENT_LEAD}),
    Action.CANCEL: frozenset({_IM}),
}

INPUTS: Mapping[Action, type[ActionInput]] = {
    Action.ACKNOWLEDGE: AcknowledgeInput,
    Action.ADD_DETAILS: AddDetailsInput,
    Action.SEND_NOTICE: NoticeInput,
    Action.POST_STATUS_UPDATE: StatusUpdateInput,
    Action.SET_ACTION_PLAN: ActionPlanInput,
    Action.ESCALATE: EscalateInput,
    Action.DEPLOY_TASK_FORCE: TaskForceInput,
    Action.DECLARE_RESOLUTION: ResolutionInput,
    Action.VERIFY_RESOLUTION: VerificationInput,
    Action.CONFIRM_CUSTOMER_ACCESS: CustomerAccessInput,
    Action.SUBMIT_INTERNAL_RCA: InternalRcaInput,
    Action.SHARE_CUSTOMER_RCA: CustomerRcaInput,
    Action.CANCEL: CancelInput,
}
_ACTION_OF: Mapping[type[ActionInput], Action] = {cls: action for action, cls in INPUTS.items()}


def _precondition_holds(state: EscalationState, action: Action) -> bool:
    match action:
        case Action.POST_STATUS_UPDATE:
            return state.notice_sent_at is not None
        case Action.DECLARE_RESOLUTION | Action.DEPLOY_TASK_FORCE:
            return state.resolution_state is ResolutionState.WORKING
        case Action.VERIFY_RESOLUTION:
            return state.resolution_state is ResolutionState.DECLARED
        case Action.CONFIRM_CUSTOMER_ACCESS:
            return state.resolution_state is ResolutionState.VERIFIED
        case Action.SUBMIT_INTERNAL_RCA:
            return state.rca_internal is not None and state.rca_internal.submitted_at is None
        case Action.SHARE_CUSTOMER_RCA:
            return state.rca_customer is not None and state.rca_customer.submitted_at is None
        case _:
            return True


def allowed_actions(state: EscalationState) -> list[Action]:
    if not state.is_open:
        return []
    return [a for a in Action if a in ALLOWED[state.stage] and _precondition_holds(state, a)]


def ensure_allowed(state: EscalationState, action: Action, command: ActionInput) -> None:
    """What every validator checks: role, then version, then stage and sub-state."""
    actor = command.actor
    if actor is not None and actor.role is not Role.SYSTEM and actor.role not in ROLES[action]:
        raise RoleNotAllowed(f"role {actor.role.value} may not {action.value}")
    if command.expected_version is not None and command.expected_version != state.version:
        raise VersionConflict(
            f"version {command.expected_version} is stale; the escalation is at "
            f"version {state.version}",
            current_version=state.version,
        )
    allowed = allowed_actions(state)
    if action not in allowed:
        if not state.is_open:
            why = f"the escalation is {state.status.value}"
        elif action not in ALLOWED[state.stage]:
            why = f"not in stage {state.stage.value}"
        else:
            why = _why_not(action)
        raise ActionNotAllowed(
            f"{action.value} is not allowed: {why}",
            stage=state.stage.value,
            allowed_actions=[a.value for a in allowed],
        )
    if isinstance(command, EscalateInput) and command.type is EscalationType.FUNCTIONAL:
        if command.team not in state.policy.teams:
            raise InvalidAction(f"team {command.team!r} is not in the policy")
        if command.team == state.team:
            raise InvalidAction(f"the escalation is already with team {command.team!r}")


def _why_not(action: Action) -> str:
    match action:
        case Action.POST_STATUS_UPDATE:
            return "send the first notice before status updates"
        case Action.VERIFY_RESOLUTION:
            return "no resolution awaits verification"
        case Action.CONFIRM_CUSTOMER_ACCESS:
            return "the resolution is not verified yet"
        case Action.DECLARE_RESOLUTION | Action.DEPLOY_TASK_FORCE:
            return "a resolution is already declared"
        case _:
            return "its RCA task is not open"


# --- creation ----------------------------------------------------------------------------


def _due(state: EscalationState, start: datetime, duration_seconds: float) -> datetime:
    sla = state.policy.sla(state.priority)
    return due_at(
        start, timedelta(seconds=duration_seconds), clock=sla.clock, calendar=state.policy.calendar
    )


def arm_deadlines(state: EscalationState, at: datetime) -> Deadlines:
    """Deadlines armed at creation from the snapshot (lifecycle.md, start)."""
    policy, sla = state.policy, state.policy.sla(state.priority)
    deadlines = Deadlines(
        notice_due=at + policy.notice.within,
        acknowledge_due=_due(state, at, sla.acknowledge_within.total_seconds()),
        engage_more_due=_due(state, at, sla.engage_more_after.total_seconds()),
        resolve_warning_due=_due(state, at, sla.resolve_within.total_seconds() * sla.warn_at),
        resolve_due=_due(state, at, sla.resolve_within.total_seconds()),
    )
    kind = policy.complaint_kinds.get(state.complaint_kind or "")
    if kind is not None:
        if kind.acknowledge_within is not None:
            complaint_ack = due_at(
                at, kind.acknowledge_within, clock=kind.clock, calendar=policy.calendar
            )
            assert deadlines.acknowledge_due is not None
            deadlines.acknowledge_due = min(deadlines.acknowledge_due, complaint_ack)
        if kind.final_response_within is not None:
            final = due_at(at, kind.final_response_within, clock=kind.clock,
                           calendar=policy.calendar)
            deadlines.final_response_due = final
            if kind.delay_notice_before is not None:
                deadlines.delay_notice_due = final - kind.delay_notice_before
    return deadlines


def intake(request: EscalationRequest, decision: RoutingDecision, at: datetime) -> Transition:
    """Record the escalation, apply routing, notify the owning team, move to communicate."""
    body, policy = request.request, request.policy
    state = EscalationState(
        id=request.id,
        title=body.title,
        description=body.description,
        category=body.category,
        channel=body.channel,
        complaint_kind=body.complaint_kind,
        customer=body.customer,
        source=body.source,
        temperature=decision.temperature,
        priority=decision.priority,
        tier=decision.tier,
        team=decision.team,
        routing=Routing(rule=decision.rule, reasons=decision.reasons),
        affected_customers=_unique_customers([], body.affected_customers),
        affected_services=_unique([], body.affected_services),
        related_records=_unique([], body.related_records),
        problem_records=_unique([], body.problem_records),
        stakeholders=_unique_recipients([], body.stakeholders),
        tags=_unique([], body.tags),
        rca_required=policy.sla(decision.priority).rca_required,
        created_at=at,
        updated_at=at,
        created_by=request.created_by,
        request_id=request.request_id,
        request_hash=request.request_hash,
        policy=policy,
        links=request.links,
        version=0,
    )
    state.deadlines = arm_deadlines(state, at)
    if state.deadlines.final_response_due is not None:
        state.sla.final_response = SlaOutcome.PENDING
    tx = Tx(state, at, request.created_by)
    tx.log(TimelineType.CREATED, {"title": body.title, "category": body.category.value,
                                  "channel": body.channel.value})
    tx.log(
        TimelineType.ROUTED,
        {"rule": decision.rule, "team": decision.team, "tier": decision.tier,
         "priority": decision.priority.value, "temperature": decision.temperature.value,
         "reasons": decision.reasons},
    )
    tx.notify(
        NotificationEvent.NEW_ESCALATION,
        to.team_contacts(tx.state, Level.AGENT),
        subject=f"[{state.priority.value}] New escalation: {state.title}",
        message=f"{state.title} was routed to {state.team} (tier {state.tier}, "
        f"rule {decision.rule}).",
    )
    _change_stage(tx, Stage.COMMUNICATE)
    return tx.done()


# --- actions -------------------------------------------------------------------------------


def apply(state: EscalationState, command: ActionInput, *, at: datetime) -> Transition:
    """Apply an accepted action. Call ensure_allowed first (the validator does)."""
    action = _ACTION_OF[type(command)]
    actor = command.actor.name if command.actor else "system"
    tx = Tx(state, at, actor)
    match command:
        case AcknowledgeInput():
            _acknowledge(tx, command.owner or actor)
        case AddDetailsInput():
            _add_details(tx, command)
        case NoticeInput():
            send_notice(tx, command.message, command.audiences, automatic=False)
        case StatusUpdateInput():
            _status_update(tx, command)
        case ActionPlanInput():
            _set_action_plan(tx, command)
        case EscalateInput():
            _escalate(tx, command)
        case TaskForceInput():
            _deploy_task_force(tx, command.members)
        case ResolutionInput():
            _declare_resolution(tx, command.summary)
        case VerificationInput():
            _verify(tx, command)
        case CustomerAccessInput():
            _confirm_access(tx, command)
        case InternalRcaInput():
            _submit_internal_rca(tx, command)
        case CustomerRcaInput():
            _share_customer_rca(tx, command.summary)
        case CancelInput():
            _cancel(tx, command.reason)
        case _:  # pragma: no cover - INPUTS covers every action
            raise InvalidAction(f"unknown action {action}")
    advance(tx)
    return tx.done()


def _change_stage(tx: Tx, stage: Stage) -> None:
    previous = tx.state.stage
    tx.state.stage = stage
    tx.log(TimelineType.STAGE_CHANGED, {"from": previous.value, "to": stage.value})


def advance(tx: Tx) -> None:
    """communicate -> resolve once a notice went out and an action plan exists."""
    s = tx.state
    if (
        s.is_open
        and s.stage is Stage.COMMUNICATE
        and s.notice_sent_at is not None
        and s.action_plan is not None
    ):
        _change_stage(tx, Stage.RESOLVE)


def _restart_cadence(tx: Tx) -> None:
    s = tx.state
    s.last_update_at = tx.at
    s.missed_updates = 0
    sla = s.policy.sla(s.priority)
    s.deadlines.next_update_due = due_at(tx.at, sla.update_every, clock=sla.clock,
                                         calendar=s.policy.calendar)


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


def _unique(existing: list[str], new: list[str]) -> list[str]:
    return list(dict.fromkeys([*existing, *new]))


def _unique_recipients(existing: list[Recipient], new: list[Recipient]) -> list[Recipient]:
    seen = {(r.channel, r.address) for r in existing}
    merged = list(existing)
    for r in new:
        if (r.channel, r.address) not in seen:
            seen.add((r.channel, r.address))
            merged.append(r)
    return merged


def _unique_customers(
    existing: list[AffectedCustomer], new: list[AffectedCustomer]
) -> list[AffectedCustomer]:
    seen = {c.id for c in existing}
    merged = list(existing)
    for c in new:
        if c.id not in seen:
            seen.add(c.id)
            merged.append(c)
    return merged


def _add_details(tx: Tx, command: AddDetailsInput) -> None:
    s = tx.state
    before = {
        "affected_customers": len(s.affected_customers),
        "affected_services": len(s.affected_services),
        "related_records": len(s.related_records),
        "problem_records": len(s.problem_records),
        "stakeholders": len(s.stakeholders),
    }
    s.affected_customers = _unique_customers(s.affected_customers, command.affected_customers)
    s.affected_services = _unique(s.affected_services, command.affected_services)
    s.related_records = _unique(s.related_records, command.related_records)
    s.problem_records = _unique(s.problem_records, command.problem_records)
    s.stakeholders = _unique_recipients(s.stakeholders, command.stakeholders)
    added = {
        "affected_customers": [c.id for c in s.affected_customers[before["affected_customers"]:]],
        "affected_services": s.affected_services[before["affected_services"]:],
        "related_records": s.related_records[before["related_records"]:],
        "problem_records": s.problem_records[before["problem_records"]:],
        "stakeholders": [r.name for r in s.stakeholders[before["stakeholders"]:]],
    }
    tx.log(TimelineType.DETAILS_ADDED, {"added": {k: v for k, v in added.items() if v}})


def _notify_audiences(
    tx: Tx, event: NotificationEvent, audiences: list[Audience], *, subject: str, message: str
) -> dict[str, int]:
    sent: dict[str, int] = {}
    if Audience.INTERNAL in audiences:
        sent["internal"] = tx.notify(event, to.stakeholders(tx.state), subject=subject,
                                     message=message)
    if Audience.CUSTOMERS in audiences:
        sent["customers"] = tx.notify(
            event, to.customers(tx.state), subject=subject, message=message,
            audience=NotificationAudience.CUSTOMER,
        )
    return sent


def send_notice(tx: Tx, message: str | None, audiences: list[Audience], *, automatic: bool) -> None:
    s = tx.state
    first = s.notice_sent_at is None
    if first:
        s.notice_sent_at = tx.at
        if s.sla.notice is SlaOutcome.PENDING:
            s.sla.notice = SlaOutcome.MET
        if s.resolution_state is ResolutionState.WORKING:
            _restart_cadence(tx)
    text = message or to.fill(s.policy.templates.notice, s)
    tx.log(
        TimelineType.NOTICE_SENT,
        {"message": text, "audiences": [a.value for a in audiences], "automatic": automatic,
         "first": first},
    )
    _notify_audiences(tx, NotificationEvent.NOTICE, audiences,
                      subject=f"Notice: {s.title}", message=text)


def _status_update(tx: Tx, command: StatusUpdateInput) -> None:
    s = tx.state
    if s.resolution_state is ResolutionState.WORKING:
        _restart_cadence(tx)
    text = to.fill(s.policy.templates.status_update, s, message=command.message)
    tx.log(TimelineType.STATUS_UPDATE,
           {"message": command.message, "audiences": [a.value for a in command.audiences]})
    _notify_audiences(tx, NotificationEvent.STATUS_UPDATE, command.audiences,
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


def escalate_level(tx: Tx, to_level: Level, *, kind: EscalationType, reason: str,
                   tier: int | None = None) -> None:
    """Move up the chain (never down) and tell the new level's contacts."""
    s = tx.state
    previous_level, previous_tier = s.level, s.tier
    s.level = s.level.at_least(to_level)
    if tier is not None:
        s.tier = max(s.tier, min(tier, 3))
    tx.log(
        TimelineType.ESCALATED,
        {"type": kind.value, "reason": reason, "from_level": previous_level.value,
         "to_level": s.level.value, "from_tier": previous_tier, "to_tier": s.tier},
    )
    tx.notify(
        NotificationEvent.ESCALATED,
        to.team_contacts(s, s.level),
        subject=f"[{s.priority.value}] Escalated to {s.level.value}: {s.title}",
        message=f"{s.title} was escalated ({kind.value}): {reason}",
    )


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
        [*to.team_contacts(s, Level.AGENT), *to.team_contacts(s, s.level)],
        subject=f"[{s.priority.value}] Escalation handed to {command.team}: {s.title}",
        message=f"{s.title} was escalated from {previous} to {command.team}: {command.reason}",
    )


def _deploy_task_force(tx: Tx, members: list[Recipient]) -> None:
    s = tx.state
    s.task_force.members = _unique_recipients(s.task_force.members, members)
    s.task_force.active = True
    tx.log(TimelineType.TASK_FORCE_DEPLOYED, {"members": [m.name for m in s.task_force.members]})
    tx.notify(NotificationEvent.TASK_FORCE, s.task_force.members,
              subject=f"[{s.priority.value}] Task force: {s.title}",
              message=f"You are on the task force for {s.title}.")


def _declare_resolution(tx: Tx, summary: str) -> None:
    s = tx.state
    s.resolution_state = ResolutionState.DECLARED
    s.resolution = summary
    s.resolution_declared_at = tx.at
    if s.sla.resolve is SlaOutcome.PENDING:
        s.sla.resolve = SlaOutcome.MET
    s.deadlines.next_update_due = None
    tx.log(TimelineType.RESOLUTION_DECLARED, {"summary": summary})
    tx.notify(NotificationEvent.RESOLUTION_DECLARED, to.team_contacts(s, Level.AGENT),
              subject=f"Resolution declared, please verify: {s.title}", message=summary)
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
        _restart_cadence(tx)


def _verify(tx: Tx, command: VerificationInput) -> None:
    s = tx.state
    if not command.verified:
        tx.log(TimelineType.RESOLUTION_REJECTED, {"note": command.note})
        _back_to_working(tx)
        return
    s.resolution_state = ResolutionState.VERIFIED
    s.resolved_at = tx.at
    tx.log(TimelineType.RESOLUTION_VERIFIED, {"note": command.note})
    text = to.fill(s.policy.templates.resolution, s, summary=s.resolution or "")
    _notify_audiences(tx, NotificationEvent.RESOLUTION_VERIFIED,
                      [Audience.INTERNAL, Audience.CUSTOMERS],
                      subject=f"Resolved: {s.title}", message=text)


def _confirm_access(tx: Tx, command: CustomerAccessInput) -> None:
    s = tx.state
    if not command.confirmed:
        tx.log(TimelineType.CUSTOMER_ACCESS_DENIED, {"note": command.note})
        _back_to_working(tx)
        return
    s.resolution_state = ResolutionState.CONFIRMED
    tx.log(TimelineType.CUSTOMER_ACCESS_CONFIRMED, {"note": command.note})
    _change_stage(tx, Stage.CLOSE)


def _rca_task(tx: Tx, kind: RcaKind, assignee: Recipient | None, within_seconds: float) -> RcaTask:
    s = tx.state
    due = _due(s, tx.at, within_seconds)
    task = RcaTask(id=f"{s.id}.rca.{kind.value}", kind=kind,
                   assignee=assignee.name if assignee else "unassigned",
                   due_at=due, created_at=tx.at)
    tx.log(TimelineType.RCA_REQUESTED,
           {"kind": kind.value, "assignee": task.assignee, "due_at": due.isoformat()})
    tx.notify(NotificationEvent.RCA_TASK, [assignee] if assignee else [],
              subject=f"RCA due {due:%Y-%m-%d %H:%M} UTC: {s.title}",
              message=f"Please write the {kind.value} root cause analysis for {s.title}.")
    return task


def records_closed(state: EscalationState, closed: list[str], *, at: datetime) -> Transition:
    """Close-stage entry, after the related records were closed by an activity."""
    tx = Tx(state, at, "system")
    s = tx.state
    s.related_records_closed = True
    tx.log(TimelineType.RELATED_RECORDS_CLOSED, {"records": closed})
    sla = s.policy.sla(s.priority)
    if s.rca_required:
        within = sla.internal_rca_within or sla.resolve_within
        coordinators = to.problem_coordinator(s)
        s.rca_internal = _rca_task(tx, RcaKind.INTERNAL, coordinators[0] if coordinators else None,
                                   within.total_seconds())
        s.deadlines.internal_rca_due = s.rca_internal.due_at
    else:
        _close(tx)
    return tx.done()


def _close(tx: Tx) -> None:
    s = tx.state
    s.status = Status.CLOSED
    s.closed_at = tx.at
    tx.log(TimelineType.CLOSED, {"sla": s.sla.model_dump(mode="json")})


def _submit_internal_rca(tx: Tx, command: InternalRcaInput) -> None:
    s = tx.state
    assert s.rca_internal is not None
    s.rca_internal = s.rca_internal.model_copy(
        update={"status": RcaStatus.SUBMITTED, "submitted_at": tx.at, "summary": command.summary,
                "root_cause": command.root_cause,
                "corrective_actions": command.corrective_actions})
    tx.log(TimelineType.INTERNAL_RCA_SUBMITTED,
           {"summary": command.summary, "root_cause": command.root_cause,
            "corrective_actions": command.corrective_actions})
    sla = s.policy.sla(s.priority)
    within = sla.customer_rca_within or sla.resolve_within
    leads = to.engagement_lead(s)
    s.rca_customer = _rca_task(tx, RcaKind.CUSTOMER, leads[0] if leads else None,
                               within.total_seconds())
    s.deadlines.customer_rca_due = s.rca_customer.due_at


def _share_customer_rca(tx: Tx, summary: str) -> None:
    s = tx.state
    assert s.rca_customer is not None
    s.rca_customer = s.rca_customer.model_copy(
        update={"status": RcaStatus.SUBMITTED, "submitted_at": tx.at, "summary": summary})
    tx.log(TimelineType.CUSTOMER_RCA_SHARED, {"summary": summary})
    text = to.fill(s.policy.templates.rca_shared, s, summary=summary)
    tx.notify(NotificationEvent.RCA_SHARED, to.customers(s), subject=f"Root cause: {s.title}",
              message=text, audience=NotificationAudience.CUSTOMER)
    _close(tx)


def _cancel(tx: Tx, reason: str) -> None:
    s = tx.state
    s.status = Status.CANCELLED
    s.cancelled_at = tx.at
    s.task_force.active = False
    tx.log(TimelineType.CANCELLED, {"reason": reason})
    tx.notify(NotificationEvent.CANCELLED, [*to.stakeholders(s), *to.team_contacts(s, Level.AGENT)],
              subject=f"Cancelled: {s.title}", message=f"{s.title} was cancelled: {reason}")


def notification_failed(
    state: EscalationState, notification_id: str, reason: str, *, at: datetime
) -> Transition:
    tx = Tx(state, at, "system")
    failed = next((n for n in state.outbox if n.id == notification_id), None)
    tx.log(
        TimelineType.NOTIFICATION_FAILED,
        {"notification_id": notification_id, "reason": reason,
         "event": failed.event.value if failed else None,
         "recipient": failed.recipient.name if failed else None,
         "channel": failed.recipient.channel.value if failed else None},
    )
    return tx.done()
