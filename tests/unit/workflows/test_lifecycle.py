"""Full lifecycles on the time-skipping server: P1 with its RCA hand-off, P4 without.

Both full lifecycles run on the fast runner and on the SDK's stock one (the worker's fallback
on an untested temporalio, worker/runner.py): the escalation must not tell them apart.
"""

from __future__ import annotations

import pytest

from domain.enums import Audience, SlaOutcome, Stage, Status
from domain.models import (
    AcknowledgeInput,
    ActionPlanInput,
    CustomerAccessInput,
    CustomerRcaInput,
    InternalRcaInput,
    NoticeInput,
    ResolutionInput,
    StatusUpdateInput,
    VerificationInput,
)
from tests.support.escalations import ENGINEER, IM, LEAD
from tests.support.runners import RUNNERS
from tests.unit.workflows.rig import Rig
from workflows.escalation import EscalationWorkflow

INTERNAL = [Audience.INTERNAL]  # a notice needs an audience it can reach (issue 20)
BILLING_VIP = {
    "title": "Charged twice for the March invoice",
    "category": "billing",
    "customer": {"id": "cust-42", "name": "Acme Ltd", "vip": True},
    "related_records": ["INC-1001"],
}

ON_BOTH_RUNNERS = pytest.mark.parametrize("rig", RUNNERS, indirect=True)


@ON_BOTH_RUNNERS
async def test_p1_walks_every_stage_and_hands_off_the_rca(rig: Rig) -> None:
    handle, created = await rig.open(
        {**BILLING_VIP, "stakeholders": [rig.stakeholder("finance")],
         "affected_customers": [rig.customer("cust-42")]}
    )
    assert created.escalation.stage is Stage.COMMUNICATE
    assert created.escalation.priority.value == "P1"

    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, message="We are on it"))
    for n in range(3):
        await handle.execute_update(EscalationWorkflow.post_status_update,
                                    StatusUpdateInput(actor=ENGINEER, message=f"update {n}"))
    view = await handle.execute_update(
        EscalationWorkflow.set_action_plan,
        ActionPlanInput(actor=IM, steps=[{"description": "refund the double charge"}]),
    )
    assert view.stage is Stage.RESOLVE
    await handle.execute_update(EscalationWorkflow.declare_resolution,
                                ResolutionInput(actor=IM, summary="refunded"))
    await handle.execute_update(EscalationWorkflow.verify_resolution,
                                VerificationInput(actor=ENGINEER, verified=True))
    view = await handle.execute_update(EscalationWorkflow.confirm_customer_access,
                                       CustomerAccessInput(actor=LEAD, confirmed=True))
    assert view.stage is Stage.CLOSE

    view = await rig.wait_for(handle, lambda v: v.rca.internal is not None, "internal RCA task")
    assert view.rca.internal is not None
    assert view.rca.internal.assignee == "Priya"
    view = await handle.execute_update(
        EscalationWorkflow.submit_internal_rca,
        InternalRcaInput(actor=ENGINEER, summary="retry bug", root_cause="double submit"),
    )
    assert view.rca.customer is not None
    assert view.rca.customer.assignee == "Sam"
    await handle.execute_update(EscalationWorkflow.share_customer_rca,
                                CustomerRcaInput(actor=LEAD, summary="we fixed it"))
    summary = await handle.result()

    assert summary.status is Status.CLOSED
    assert (summary.sla.notice, summary.sla.acknowledge, summary.sla.resolve) == (
        SlaOutcome.MET, SlaOutcome.MET, SlaOutcome.MET)
    types = [e.type.value for e in rig.timeline(handle.id)]
    assert types == [
        "created", "routed", "stage_changed", "acknowledged", "notice_sent",
        "status_update", "status_update", "status_update", "action_plan_set", "stage_changed",
        "resolution_declared", "resolution_verified", "customer_access_confirmed",
        "stage_changed", "related_record_outcome", "related_records_closed", "rca_requested",
        "internal_rca_submitted", "rca_requested", "customer_rca_shared", "closed",
    ]
    assert rig.events_to("/finance") == ["notice", "status_update", "status_update",
                                          "status_update", "resolution_verified"]
    assert rig.events_to("/customer/cust-42") == ["notice", "resolution_verified", "rca_shared"]
    assert rig.events_to("/billing/problem_coordinator") == ["rca_task"]
    # Asked to confirm the customer's access, then handed the customer RCA.
    assert rig.events_to("/billing/engagement_lead") == ["resolution_verified", "rca_task"]
    assert rig.duplicate_keys() == []


@ON_BOTH_RUNNERS
async def test_p4_closes_right_after_related_records_without_rca(rig: Rig) -> None:
    handle, created = await rig.open(
        {"title": "Feature question", "category": "question", "priority": "P4",
         "related_records": ["INC-7", "INC-8"], "stakeholders": [rig.stakeholder("exec")]})
    assert created.escalation.rca.required is False
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    await handle.execute_update(EscalationWorkflow.set_action_plan,
                                ActionPlanInput(actor=IM, steps=[{"description": "answer"}]))
    await handle.execute_update(EscalationWorkflow.declare_resolution,
                                ResolutionInput(actor=IM, summary="answered"))
    await handle.execute_update(EscalationWorkflow.verify_resolution,
                                VerificationInput(actor=ENGINEER, verified=True))
    await handle.execute_update(EscalationWorkflow.confirm_customer_access,
                                CustomerAccessInput(actor=LEAD, confirmed=True))
    summary = await handle.result()

    assert summary.status is Status.CLOSED
    entries = rig.timeline(handle.id)
    assert [e.type.value for e in entries][-4:] == [
        "related_record_outcome", "related_record_outcome", "related_records_closed", "closed"]
    # No [[related_systems]] in the policy: nothing to close anywhere, both records are kept.
    assert [(e.details["record"], e.details["outcome"]) for e in entries[-4:-2]] == [
        ("INC-7", "kept"), ("INC-8", "kept")]
    assert entries[-2].details["records"] == ["INC-7", "INC-8"]
    assert entries[-2].details["kept"] == ["INC-7", "INC-8"]


async def test_action_plan_versions_are_all_kept(rig: Rig) -> None:
    handle, _ = await rig.open({**BILLING_VIP, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    for note in ("first", "second", "third"):
        view = await handle.execute_update(
            EscalationWorkflow.set_action_plan,
            ActionPlanInput(actor=ENGINEER, steps=[{"description": note}], note=note))
    assert view.action_plan is not None
    assert view.action_plan.version == 3
    assert [v.note for v in view.action_plan.history] == ["first", "second", "third"]
    await rig.cancel(handle)


async def test_declared_resolution_rejected_goes_back_to_working(rig: Rig) -> None:
    handle, _ = await rig.open({**BILLING_VIP, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    await handle.execute_update(EscalationWorkflow.set_action_plan,
                                ActionPlanInput(actor=IM, steps=[{"description": "x"}]))
    await handle.execute_update(EscalationWorkflow.declare_resolution,
                                ResolutionInput(actor=IM, summary="maybe"))
    view = await handle.execute_update(
        EscalationWorkflow.verify_resolution,
        VerificationInput(actor=ENGINEER, verified=False, note="still failing"))
    assert "declare_resolution" in view.allowed_actions
    assert view.sla.resolve is SlaOutcome.PENDING
    entry = rig.timeline(handle.id)[-1]
    assert (entry.type.value, entry.details["note"]) == ("resolution_rejected", "still failing")
    await rig.cancel(handle)


async def test_history_stays_small_for_a_p1_with_20_status_updates(rig: Rig) -> None:
    handle, _ = await rig.open({**BILLING_VIP, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=INTERNAL))
    for n in range(20):
        await handle.execute_update(EscalationWorkflow.post_status_update,
                                    StatusUpdateInput(actor=ENGINEER, message=f"update {n}"))
    await rig.cancel(handle)
    await handle.result()
    history = await handle.fetch_history()
    # Temporal warns at 10,240 events; a long P1 should stay an order of magnitude below.
    assert len(history.events) < 1_000
