"""The resolve gates' clocks on the time-skipping server: a reminder at warn_at, an escalation
when the window passes, nothing once the gate is passed, fresh clocks after a rejection.

BILLING_VIP routes to P1 (team billing): verify_within PT30M, confirm_within PT2H, warn_at 0.8.
"""

from __future__ import annotations

from datetime import timedelta

from domain.enums import Audience, Level, SlaOutcome
from domain.models import (
    AcknowledgeInput,
    ActionPlanInput,
    CustomerAccessInput,
    EscalationView,
    NoticeInput,
    ResolutionInput,
    VerificationInput,
)
from tests.support.escalations import ENGINEER, IM, LEAD
from tests.unit.workflows.rig import Handle, Rig
from workflows.escalation import EscalationWorkflow

BILLING_VIP = {"title": "Charged twice", "category": "billing",
               "customer": {"id": "cust-42", "name": "Acme Ltd", "vip": True}}


async def declared(rig: Rig) -> Handle:
    handle, _ = await rig.open({**BILLING_VIP, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=[Audience.INTERNAL]))
    await handle.execute_update(EscalationWorkflow.set_action_plan,
                                ActionPlanInput(actor=IM, steps=[{"description": "refund"}]))
    await handle.execute_update(EscalationWorkflow.declare_resolution,
                                ResolutionInput(actor=IM, summary="refunded"))
    return handle


def reminders(rig: Rig, handle: Handle, kind: str) -> int:
    return sum(1 for e in rig.timeline(handle.id)
               if e.type.value == "reminder_sent" and e.details["kind"] == kind)


async def test_verification_reminds_then_escalates_when_nobody_verifies(rig: Rig) -> None:
    handle = await declared(rig)
    await rig.env.sleep(timedelta(minutes=25))  # past 80 % of 30 minutes
    await rig.wait_for(handle, lambda v: reminders(rig, handle, "verify") == 1, "reminder")
    assert (await handle.query(EscalationWorkflow.state)).level is Level.AGENT

    await rig.env.sleep(timedelta(minutes=6))
    view = await rig.wait_for(handle, lambda v: v.sla.verify is SlaOutcome.BREACHED, "breach")
    assert view.level is Level.TEAM_LEAD
    await rig.settle(handle)
    assert rig.events_to("/billing/agent").count("reminder") == 1
    assert "escalated" in rig.events_to("/billing/team_lead")
    await rig.cancel(handle)


async def test_a_verified_resolution_never_fires_the_verification_clock(rig: Rig) -> None:
    handle = await declared(rig)
    await rig.env.sleep(timedelta(minutes=10))
    view = await handle.execute_update(EscalationWorkflow.verify_resolution,
                                       VerificationInput(actor=ENGINEER, verified=True))
    assert view.sla.verify is SlaOutcome.MET
    await rig.env.sleep(timedelta(minutes=40))  # well past the verification window
    assert reminders(rig, handle, "verify") == 0
    assert not any(e.type.value == "sla_breached" and e.details["sla"] == "verify"
                   for e in rig.timeline(handle.id))
    await rig.cancel(handle)


async def test_customer_access_reminds_then_escalates_when_the_lead_is_silent(rig: Rig) -> None:
    handle = await declared(rig)
    await handle.execute_update(EscalationWorkflow.verify_resolution,
                                VerificationInput(actor=ENGINEER, verified=True))
    await rig.env.sleep(timedelta(hours=1, minutes=40))  # past 80 % of 2 hours
    await rig.wait_for(handle, lambda v: reminders(rig, handle, "confirm") == 1, "reminder")
    await rig.env.sleep(timedelta(minutes=25))
    view = await rig.wait_for(handle, lambda v: v.sla.confirm is SlaOutcome.BREACHED, "breach")
    assert view.level is Level.TEAM_LEAD
    await rig.settle(handle)
    # Asked when the resolution was verified, then reminded.
    assert rig.events_to("/billing/engagement_lead") == ["resolution_verified", "reminder"]
    await rig.cancel(handle)


async def test_a_confirmed_customer_access_never_fires_the_confirmation_clock(rig: Rig) -> None:
    handle = await declared(rig)
    await handle.execute_update(EscalationWorkflow.verify_resolution,
                                VerificationInput(actor=ENGINEER, verified=True))
    view = await handle.execute_update(EscalationWorkflow.confirm_customer_access,
                                       CustomerAccessInput(actor=LEAD, confirmed=True))
    assert view.sla.confirm is SlaOutcome.MET
    await rig.env.sleep(timedelta(hours=3))
    assert reminders(rig, handle, "confirm") == 0
    assert (await handle.query(EscalationWorkflow.state)).level is Level.AGENT
    await rig.cancel(handle)


async def test_a_rejected_verification_rearms_the_resolve_timers_and_clears_the_gate(
    rig: Rig,
) -> None:
    handle = await declared(rig)
    view = await handle.execute_update(
        EscalationWorkflow.verify_resolution,
        VerificationInput(actor=ENGINEER, verified=False, note="still charged"))
    assert (view.deadlines.verify_due, view.deadlines.verify_reminder_due) == (None, None)
    assert view.sla.resolve is SlaOutcome.PENDING
    resolve_due = view.deadlines.resolve_due
    assert resolve_due is not None

    await rig.env.sleep(timedelta(hours=4, minutes=5))  # past the P1 resolve deadline (4 h)

    def resolve_breached(v: EscalationView) -> bool:
        return v.sla.resolve is SlaOutcome.BREACHED

    view = await rig.wait_for(handle, resolve_breached, "the resolve deadline, re-armed")
    assert reminders(rig, handle, "verify") == 0  # the gate's clock is gone
    assert view.sla.verify is SlaOutcome.MET  # it was answered, in time
    await rig.cancel(handle)
