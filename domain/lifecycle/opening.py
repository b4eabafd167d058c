"""The start stage: a new escalation from its request and routing decision (lifecycle.md, start)."""

from __future__ import annotations

from datetime import datetime

from domain import recipients as to
from domain.enums import Level, NotificationEvent, SlaOutcome, Stage, TimelineType
from domain.lifecycle.complaints import new_record
from domain.lifecycle.sla import arm_deadlines
from domain.lifecycle.steps import change_stage, unique, unique_customers, unique_recipients
from domain.models import Routing
from domain.routing import RoutingDecision
from domain.state import EscalationRequest, EscalationState
from domain.transition import Transition, Tx


def intake(
    request: EscalationRequest, decision: RoutingDecision, at: datetime, *,
    with_complaint: bool = True,
) -> Transition:
    """Record the escalation, apply routing, notify the owning team, move to communicate.

    `with_complaint`: keep the request's complaint record and arm its clocks (the workflow says
    False only when replaying an escalation opened before the record existed)."""
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
        affected_customers=unique_customers([], body.affected_customers),
        affected_services=unique([], body.affected_services),
        related_records=unique([], body.related_records),
        problem_records=unique([], body.problem_records),
        stakeholders=unique_recipients([], body.stakeholders),
        tags=unique([], body.tags),
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
    if with_complaint and body.complaint is not None and body.complaint_kind in (
            policy.complaint_kinds):
        state.complaint = new_record(body, policy, escalation_id=request.id, at=at)
    state.deadlines = arm_deadlines(state, at)
    if state.deadlines.final_response_due is not None:
        state.sla.final_response = SlaOutcome.PENDING
    if state.deadlines.complaint_acknowledge_due is not None:
        state.sla.complaint_acknowledge = SlaOutcome.PENDING
    tx = Tx(state, at, request.created_by)
    created = {"title": body.title, "category": body.category.value,
               "channel": body.channel.value}
    if state.complaint is not None:
        created |= {"complaint_reference": state.complaint.reference,
                    "received_at": state.complaint.received_at.isoformat()}
    tx.log(TimelineType.CREATED, created)
    tx.log(
        TimelineType.ROUTED,
        {"rule": decision.rule, "team": decision.team, "tier": decision.tier,
         "priority": decision.priority.value, "temperature": decision.temperature.value,
         "reasons": decision.reasons},
    )
    tx.notify(
        NotificationEvent.NEW_ESCALATION,
        to.team_reach(tx.state, Level.AGENT),
        subject=f"[{state.priority.value}] New escalation: {state.title}",
        message=f"{state.title} was routed to {state.team} (tier {state.tier}, "
        f"rule {decision.rule}).",
    )
    change_stage(tx, Stage.COMMUNICATE)
    return tx.done()
