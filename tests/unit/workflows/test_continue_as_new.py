"""A continued run starts from the state continue-as-new hands over (WorkflowInput.state) and
carries on exactly where the last run stopped: same version, timeline sequence, deadlines, SLA
and action plan history; timers fire at the carried deadlines, once; deliveries the previous
run had not finished go out again under their keys, except those the store says were delivered.

The state is built by the domain, as the previous run would have held it; the hand-over itself
under a real history limit is tests/integration/test_long_lived.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from domain import lifecycle
from domain.enums import SlaOutcome, TimelineType
from domain.messages import WorkflowInput
from domain.models import (
    AcknowledgeInput,
    ActionInput,
    ActionPlanInput,
    CreateEscalationInput,
    EscalationView,
    NoticeInput,
)
from domain.routing import route
from domain.state import EscalationRequest, EscalationState
from store import queries
from tests.support.escalations import ENGINEER, IM
from tests.unit.workflows.rig import Handle, Rig
from workflows.escalation import EscalationWorkflow

OUTAGE = {"title": "Login down", "category": "outage", "priority": "P1"}  # ack 15 min


def _apply(state: EscalationState, command: ActionInput, at: datetime) -> EscalationState:
    return lifecycle.apply(state, command, at=at).state


def carried_state(rig: Rig, at: datetime) -> EscalationState:
    """An escalation 3 minutes old: opened, notice sent, two action plans; not acknowledged."""
    body = CreateEscalationInput.model_validate({
        **OUTAGE, "stakeholders": [rig.stakeholder("exec")],
        "affected_customers": [rig.customer("cust-7")]})
    request = EscalationRequest(
        id=f"esc-{uuid.uuid4().hex[:20]}", request=body, routing=route(rig.policy, body),
        policy=rig.policy, created_by=IM.name, request_id=uuid.uuid4().hex, request_hash="h")
    state = lifecycle.intake(request, request.routing, at - timedelta(minutes=3)).state
    state = _apply(state, NoticeInput(actor=IM), at - timedelta(minutes=2))
    for version, minutes in ((1, 2), (2, 1)):
        state = _apply(state, ActionPlanInput(actor=IM, steps=[{"description": f"step {version}"}],
                                              note=f"plan {version}"),
                       at - timedelta(minutes=minutes) + timedelta(seconds=1))
    return state


async def continue_run(rig: Rig, state: EscalationState) -> Handle:
    handle = await rig.env.client.start_workflow(
        EscalationWorkflow.run, WorkflowInput(state=state), id=state.id,
        task_queue=rig.task_queue)
    rig.opened.append(handle)
    return handle


def view_of(state: EscalationState) -> dict[str, Any]:
    return state.to_view([a.value for a in lifecycle.allowed_actions(state)]).model_dump()


async def test_a_continued_run_answers_with_the_carried_state(rig: Rig) -> None:
    state = carried_state(rig, await rig.env.get_current_time())
    handle = await continue_run(rig, state)
    view = await handle.query(EscalationWorkflow.state)
    assert view.model_dump() == view_of(state)
    assert view.action_plan is not None
    assert [(v.version, v.note) for v in view.action_plan.history] == [(1, "plan 1"),
                                                                      (2, "plan 2")]
    await rig.settle(handle)
    await rig.cancel(handle)


async def test_timers_fire_once_at_the_carried_deadlines(rig: Rig) -> None:
    state = carried_state(rig, await rig.env.get_current_time())
    due = state.deadlines.acknowledge_due
    assert due is not None
    handle = await continue_run(rig, state)
    await rig.env.sleep(due - await rig.env.get_current_time() + timedelta(seconds=1))
    view = await rig.wait_for(handle, lambda v: v.sla.acknowledge is SlaOutcome.BREACHED,
                              "the carried acknowledge deadline")
    await rig.env.sleep(timedelta(minutes=30))  # well past it: nothing fires a second time
    breaches = await rig.stored_entries(handle, "sla_breached", "the breach in the store")
    assert [(b.details["sla"], b.details["due"]) for b in breaches] == [
        ("acknowledge", due.isoformat())]
    assert breaches[0].at >= due
    assert breaches[0].seq == state.seq + 1  # the sequence goes on from the carried one
    assert view.deadlines == state.deadlines
    assert view.version == state.version + 1
    await rig.settle(handle)
    await rig.cancel(handle)


async def test_actions_continue_the_version_and_the_sequence(rig: Rig) -> None:
    state = carried_state(rig, await rig.env.get_current_time())
    handle = await continue_run(rig, state)
    # cast: the SDK types an async update's result as its coroutine.
    view = cast(EscalationView, await handle.execute_update(
        EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER)))
    assert view.version == state.version + 1
    assert [(e.seq, e.type) for e in rig.timeline(handle.id)] == [
        (state.seq + 1, TimelineType.ACKNOWLEDGED)]
    assert view.sla.acknowledge is SlaOutcome.MET
    await rig.settle(handle)
    await rig.cancel(handle)


async def test_unfinished_deliveries_go_out_again_under_their_keys_once(rig: Rig) -> None:
    state = carried_state(rig, await rig.env.get_current_time())
    outbox = {n.id: n for n in state.outbox}
    # What the previous run left: the notice reached the customer (the store recorded it)
    # but its run ended before hearing so; the rest never went out.
    done = next(n for n in state.outbox if n.recipient.address.endswith("/customer/cust-7"))
    delivered_at = await rig.env.get_current_time()
    with rig.sessions() as session, session.begin():
        queries.mark_delivered(
            session,  # type: ignore[arg-type]  # SQLModel's Session; rig.py types SQLAlchemy's
            notification_id=done.id, escalation_id=state.id, event=done.event.value,
            channel=done.recipient.channel.value, recipient_name=done.recipient.name,
            status_code=200, at=delivered_at)
    handle = await continue_run(rig, state)
    await rig.settle(handle)
    sent = rig.receiver.delivered_keys()
    assert sent == dict.fromkeys(set(outbox) - {done.id}, 1)
    await rig.cancel(handle)
