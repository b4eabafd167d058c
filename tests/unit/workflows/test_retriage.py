"""Re-triage and de-escalation on the time-skipping server (issue 22)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.enums import Audience, EscalationType, Level, Priority, SlaOutcome
from domain.models import (
    AcknowledgeInput,
    DeescalateInput,
    EscalateInput,
    NoticeInput,
    RetriageInput,
)
from tests.support.escalations import ENGINEER, IM
from tests.support.policies import loopback_policy
from tests.unit.workflows.rig import Rig
from workflows import search_attributes as sa
from workflows.escalation import EscalationWorkflow

BILLING_P3 = {"title": "Invoice question", "category": "billing", "priority": "P3"}


async def test_p3_to_p1_after_two_hours_fires_the_past_deadline_and_moves_the_others(
        rig: Rig) -> None:
    policy = loopback_policy(rig.receiver.url(""),
                             P1={"resolve_within": "PT90M", "engage_more_after": "PT3H"})
    handle, result = await rig.open({**BILLING_P3, "stakeholders": [rig.stakeholder("exec")]},
                                    policy=policy)
    created = result.escalation.created_at
    assert result.escalation.priority is Priority.P3
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=[Audience.INTERNAL]))
    await rig.env.sleep(timedelta(hours=2))

    view = await handle.execute_update(EscalationWorkflow.retriage, RetriageInput(
        actor=IM, priority=Priority.P1, team="sre", reason="every customer is affected"))
    assert (view.priority, view.team) == (Priority.P1, "sre")
    assert view.deadlines.engage_more_due == created + timedelta(hours=3)  # moved, not past
    view = await rig.wait_for(handle, lambda v: v.sla.resolve is SlaOutcome.BREACHED,
                              "the past resolve deadline to fire at once")
    (breach,) = await rig.stored_entries(handle, "sla_breached", "the breach in the store",
                                         sla="resolve")
    assert breach.details["due"] == (created + timedelta(minutes=90)).isoformat()
    (entry,) = [e for e in rig.timeline(handle.id) if e.type.value == "retriaged"]
    assert entry.details["before"]["priority"] == "P3"
    after = entry.details["after"]
    assert (after["priority"], after["team"]) == ("P1", "sre")

    described = await handle.describe()
    assert described.typed_search_attributes.get(sa.PRIORITY) == "P1"
    assert described.typed_search_attributes.get(sa.TEAM) == "sre"
    await rig.settle(handle)
    assert "retriaged" in rig.events_to("/sre/agent")
    await rig.cancel(handle)


async def test_deescalate_goes_one_level_down_and_never_below_agent(rig: Rig) -> None:
    handle, _ = await rig.open({**BILLING_P3, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=[Audience.INTERNAL]))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(EscalationWorkflow.deescalate,
                                    DeescalateInput(actor=IM, reason="calm"))
    assert "lowest level" in str(refused.value.cause)

    await handle.execute_update(EscalationWorkflow.escalate, EscalateInput(
        actor=IM, type=EscalationType.HIERARCHICAL, reason="customer is upset"))
    view = await handle.execute_update(EscalationWorkflow.deescalate,
                                       DeescalateInput(actor=IM, reason="customer calmed down"))
    assert view.level is Level.AGENT
    await rig.settle(handle)
    assert "deescalated" in rig.events_to("/billing/team_lead")
    await rig.cancel(handle)
