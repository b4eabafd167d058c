"""Every timer both ways: fired when nothing satisfied it, silent when something did."""

from __future__ import annotations

from datetime import timedelta

from domain.enums import Audience, Level, SlaOutcome
from domain.models import (
    AcknowledgeInput,
    ActionPlanInput,
    CancelInput,
    CustomerAccessInput,
    NoticeInput,
    ResolutionInput,
    StatusUpdateInput,
    VerificationInput,
)
from tests.support.escalations import ENGINEER, IM, LEAD
from tests.unit.workflows.rig import Rig
from workflows import search_attributes as sa
from workflows.escalation import EscalationWorkflow

OUTAGE = {"title": "Login down", "category": "outage",
          "customer": {"id": "cust-7", "name": "Globex"}}  # routed P1, team sre, tier 3
QUESTION_P3 = {"title": "Slow page", "category": "question", "priority": "P3"}
INTERNAL = [Audience.INTERNAL]  # a notice needs an audience it can reach (issue 20)


async def test_notice_goes_out_automatically_at_exactly_one_hour(rig: Rig) -> None:
    handle, created = await rig.open({**OUTAGE, "stakeholders": [rig.stakeholder("exec")],
                                      "affected_customers": [rig.customer("cust-7")]})
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await rig.env.sleep(timedelta(minutes=59, seconds=58))
    assert (await handle.query(EscalationWorkflow.state)).notice_sent_at is None

    await rig.env.sleep(timedelta(seconds=4))
    view = await rig.wait_for(handle, lambda v: v.notice_sent_at is not None, "automatic notice")
    assert view.notice_sent_at is not None
    created_at = created.escalation.created_at
    assert view.deadlines.notice_due == created_at + timedelta(hours=1)
    # workflow.now() is the start of the workflow task that handles the fired timer: the due
    # instant plus the worker's own reaction time (milliseconds), never before it.
    assert timedelta(hours=1) <= view.notice_sent_at - created_at < timedelta(hours=1, seconds=1)
    assert view.sla.notice is SlaOutcome.BREACHED
    assert view.level is Level.TEAM_LEAD  # automatic escalation to the team lead
    notice = next(e for e in rig.timeline(handle.id) if e.type.value == "notice_sent")
    assert notice.details["automatic"] is True
    await rig.settle(handle)
    assert "notice" in rig.events_to("/exec")
    assert "notice" in rig.events_to("/customer/cust-7")
    assert "escalated" in rig.events_to("/sre/team_lead")
    await rig.cancel(handle)


async def test_notice_at_59_minutes_means_no_automatic_notice_at_60(rig: Rig) -> None:
    handle, _ = await rig.open({**OUTAGE, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await rig.env.sleep(timedelta(minutes=59))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, message="we know", audiences=INTERNAL))
    await rig.env.sleep(timedelta(minutes=2))
    view = await handle.query(EscalationWorkflow.state)
    assert view.sla.notice is SlaOutcome.MET
    notices = [e for e in rig.timeline(handle.id) if e.type.value == "notice_sent"]
    assert [n.details["automatic"] for n in notices] == [False]
    assert not any(e.type.value == "sla_breached" and e.details["sla"] == "notice"
                   for e in rig.timeline(handle.id))
    await rig.cancel(handle)


async def test_missed_acknowledgement_escalates_one_level(rig: Rig) -> None:
    handle, _ = await rig.open(OUTAGE)  # P1: acknowledge within 15 minutes
    await rig.env.sleep(timedelta(minutes=16))
    view = await rig.wait_for(handle, lambda v: v.sla.acknowledge is SlaOutcome.BREACHED,
                              "acknowledge breach")
    assert view.level is Level.TEAM_LEAD
    escalated = await rig.stored_entries(handle, "escalated", "the escalation in the store")
    assert escalated[0].details["type"] == "automatic"
    await rig.settle(handle)
    assert rig.events_to("/sre/team_lead") == ["escalated"]
    await rig.cancel(handle)


async def test_acknowledgement_in_time_prevents_the_escalation(rig: Rig) -> None:
    handle, _ = await rig.open({**OUTAGE, "stakeholders": [rig.stakeholder("exec")]})
    await rig.env.sleep(timedelta(minutes=14))
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    await rig.env.sleep(timedelta(minutes=20))
    view = await handle.query(EscalationWorkflow.state)
    assert (view.sla.acknowledge, view.level) == (SlaOutcome.MET, Level.AGENT)
    await rig.cancel(handle)


async def test_resolve_deadline_breach_is_marked_and_searchable(rig: Rig) -> None:
    # P1: resolve within 4 hours, warning at 80 %
    handle, _ = await rig.open({**OUTAGE, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    await rig.env.sleep(timedelta(hours=3, minutes=13))
    await rig.wait_for(handle, lambda v: any(e.type.value == "sla_warning"
                                             for e in rig.timeline(handle.id)), "warning")
    assert (await handle.query(EscalationWorkflow.state)).sla.resolve is SlaOutcome.PENDING
    await rig.env.sleep(timedelta(hours=1))
    view = await rig.wait_for(handle, lambda v: v.sla.resolve is SlaOutcome.BREACHED, "breach")
    description = await handle.describe()
    assert description.typed_search_attributes.get(sa.SLA_BREACHED) is True
    assert view.level in (Level.MANAGER, Level.DIRECTOR)
    await rig.settle(handle)
    assert "sla_breached" in rig.events_to("/sre/manager")
    assert "sla_warning" in rig.events_to("/sre/team_lead")
    await rig.cancel(handle)


async def test_declared_resolution_stops_the_resolve_timers(rig: Rig) -> None:
    handle, _ = await rig.open({**OUTAGE, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    await handle.execute_update(EscalationWorkflow.set_action_plan,
                                ActionPlanInput(actor=IM, steps=[{"description": "restart"}]))
    await handle.execute_update(EscalationWorkflow.declare_resolution,
                                ResolutionInput(actor=IM, summary="restarted"))
    await rig.env.sleep(timedelta(hours=5))
    view = await handle.query(EscalationWorkflow.state)
    assert view.sla.resolve is SlaOutcome.MET
    entries = rig.timeline(handle.id)
    assert not any(e.type.value == "sla_warning" for e in entries)
    # Only the verification gate's clock runs now (test_gate_clocks.py): nothing of resolve.
    assert {e.details["sla"] for e in entries if e.type.value == "sla_breached"} <= {"verify"}
    assert {e.details["kind"] for e in entries if e.type.value == "reminder_sent"} <= {"verify"}
    await rig.cancel(handle)


async def test_engage_more_parties_raises_tier_and_level(rig: Rig) -> None:
    handle, created = await rig.open({**QUESTION_P3, "category": "billing",  # P3 engage 24h
                                      "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    tier = created.escalation.tier
    for _ in range(7):  # keep the status cadence (P3: every 4 h) satisfied, past 24 h
        await rig.env.sleep(timedelta(hours=4) - timedelta(minutes=1))
        await handle.execute_update(EscalationWorkflow.post_status_update,
                                    StatusUpdateInput(actor=ENGINEER, message="still on it"))
    view = await rig.wait_for(handle, lambda v: v.tier == min(tier + 1, 3), "tier raised")
    assert view.level is Level.TEAM_LEAD
    await rig.cancel(handle)


async def test_status_cadence_reminds_then_escalates_after_two_misses(rig: Rig) -> None:
    # P3: update every 4 hours
    handle, _ = await rig.open({**QUESTION_P3, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    await rig.env.sleep(timedelta(hours=4, minutes=1))
    await rig.wait_for(handle, lambda v: rig.count(handle.id, "reminder_sent") == 1, "reminder")
    assert (await handle.query(EscalationWorkflow.state)).level is Level.AGENT
    await rig.env.sleep(timedelta(hours=4))
    view = await rig.wait_for(handle, lambda v: v.level is Level.TEAM_LEAD, "escalation")
    assert rig.count(handle.id, "reminder_sent") == 2
    await handle.execute_update(EscalationWorkflow.post_status_update,
                                StatusUpdateInput(actor=ENGINEER, message="back on track"))
    assert view.deadlines.next_update_due is not None
    await rig.settle(handle)
    assert rig.events_to("/support/agent").count("reminder") == 2
    await rig.cancel(handle)


async def test_rca_tasks_remind_then_alert_the_manager(rig: Rig) -> None:
    handle, _ = await rig.open({"title": "Invoice wrong", "category": "billing",  # P1: RCA in 3d
                                "customer": {"id": "c-1", "vip": True},
                                "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    await handle.execute_update(EscalationWorkflow.set_action_plan,
                                ActionPlanInput(actor=IM, steps=[{"description": "fix"}]))
    await handle.execute_update(EscalationWorkflow.declare_resolution,
                                ResolutionInput(actor=IM, summary="fixed"))
    await handle.execute_update(EscalationWorkflow.verify_resolution,
                                VerificationInput(actor=ENGINEER, verified=True))
    await handle.execute_update(EscalationWorkflow.confirm_customer_access,
                                CustomerAccessInput(actor=LEAD, confirmed=True))
    await rig.wait_for(handle, lambda v: v.rca.internal is not None, "RCA requested")
    await rig.env.sleep(timedelta(days=2, hours=12))  # past 80 % of 3 days
    await rig.wait_for(handle, lambda v: rig.count(handle.id, "reminder_sent") == 1, "reminder")
    await rig.env.sleep(timedelta(days=1))
    view = await rig.wait_for(handle, lambda v: v.rca.internal is not None
                              and v.rca.internal.status.value == "overdue", "overdue")
    assert view.status.value == "open"
    await rig.settle(handle)
    assert rig.events_to("/billing/problem_coordinator") == ["rca_task", "reminder"]
    assert "sla_breached" in rig.events_to("/billing/manager")
    await rig.cancel(handle)


async def test_cancel_stops_every_timer(rig: Rig) -> None:
    handle, _ = await rig.open(OUTAGE)
    await handle.execute_update(EscalationWorkflow.cancel, CancelInput(actor=IM, reason="dup"))
    summary = await handle.result()
    assert summary.status.value == "cancelled"
    await rig.env.sleep(timedelta(days=3))
    assert [e.type.value for e in rig.timeline(handle.id)][-1] == "cancelled"
