"""Pausing the SLA clocks on the time-skipping server (issue 22): what stops, what runs on,
what moves on resume, and the pause that ends by itself.

BILLING routes to P2 (team billing): acknowledge within PT1H, resolve within PT24H.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.calendar import add_business_time, business_time_between
from domain.enums import Audience, Priority, SlaOutcome
from domain.models import AcknowledgeInput, NoticeInput, PauseInput, ResumeInput
from tests.support.escalations import ENGINEER, IM
from tests.support.policies import loopback_policy
from tests.unit.workflows.rig import Handle, Rig
from workflows import search_attributes as sa
from workflows.escalation import EscalationWorkflow

BILLING = {"title": "Charged twice", "category": "billing"}
HOUR = timedelta(hours=1)


async def noticed(rig: Rig, **policy: object) -> Handle:
    handle, result = await rig.open({**BILLING, "stakeholders": [rig.stakeholder("exec")]},
                                    policy=loopback_policy(rig.receiver.url(""), **policy)
                                    if policy else None)
    assert result.escalation.priority is Priority.P2
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=[Audience.INTERNAL]))
    return handle


def breach_due(rig: Rig, handle: Handle, sla: str) -> str | None:
    return next((e.details["due"] for e in rig.timeline(handle.id)
                 if e.type.value == "sla_breached" and e.details["sla"] == sla), None)


def entry_at(rig: Rig, handle: Handle, entry_type: str) -> datetime:
    return next(e.at for e in rig.timeline(handle.id) if e.type.value == entry_type)


async def test_a_p2_paused_three_hours_breaches_resolve_three_hours_later(rig: Rig) -> None:
    handle = await noticed(rig)
    unpaused_due = (await handle.query(EscalationWorkflow.state)).deadlines.resolve_due
    assert unpaused_due is not None
    view = await handle.execute_update(EscalationWorkflow.pause,
                                       PauseInput(actor=ENGINEER, reason="waiting on the bank"))
    assert view.paused
    assert view.status.value == "open"
    await rig.env.sleep(3 * HOUR)
    view = await handle.execute_update(EscalationWorkflow.resume,
                                       ResumeInput(actor=ENGINEER, note="the bank answered"))
    paused_for = entry_at(rig, handle, "resumed") - entry_at(rig, handle, "paused")
    assert abs(paused_for - 3 * HOUR) < timedelta(seconds=2)
    assert view.deadlines.resolve_due == unpaused_due + paused_for

    await rig.env.sleep(unpaused_due - view.updated_at + timedelta(minutes=1))
    view = await handle.query(EscalationWorkflow.state)
    assert view.sla.resolve is SlaOutcome.PENDING  # unpaused, it would have breached by now
    await rig.env.sleep(3 * HOUR)
    view = await rig.wait_for(handle, lambda v: v.sla.resolve is SlaOutcome.BREACHED, "breach")
    await rig.stored_entries(handle, "sla_breached", "the breach in the store", sla="resolve")
    assert breach_due(rig, handle, "resolve") == (unpaused_due + paused_for).isoformat()
    late = entry_at(rig, handle, "sla_breached") - (unpaused_due + paused_for)
    assert timedelta(0) <= late < timedelta(seconds=1)
    assert view.paused_total == int(paused_for.total_seconds())
    await rig.cancel(handle)


async def test_until_resumes_by_itself_and_the_search_attribute_says_paused(rig: Rig) -> None:
    handle = await noticed(rig)
    now = await rig.env.get_current_time()
    paused = await handle.execute_update(EscalationWorkflow.pause, PauseInput(
        actor=ENGINEER, reason="waiting on the customer", until=now + HOUR))
    described = await handle.describe()
    assert described.typed_search_attributes.get(sa.STATUS) == "paused"
    await rig.env.sleep(HOUR + timedelta(minutes=1))
    view = await rig.wait_for(handle, lambda v: not v.paused, "the pause to end by itself")
    (resumed,) = await rig.stored_entries(handle, "resumed", "the resume in the store")
    # Resumed at `until` (when its timer fired), paused from when the pause was taken (a few ms
    # after `now`): the whole seconds between.
    assert now + HOUR <= resumed.at < now + HOUR + timedelta(seconds=1)
    assert paused.paused_at is not None
    assert view.paused_total == int((resumed.at - paused.paused_at).total_seconds())
    assert (resumed.actor, resumed.details["by"]) == ("system", "until")
    described = await handle.describe()
    assert described.typed_search_attributes.get(sa.STATUS) == "open"
    await rig.cancel(handle)


async def test_the_notice_timer_fires_on_time_while_paused(rig: Rig) -> None:
    handle, result = await rig.open({**BILLING, "stakeholders": [rig.stakeholder("exec")]})
    notice_due = result.escalation.deadlines.notice_due
    await handle.execute_update(EscalationWorkflow.pause,
                                PauseInput(actor=ENGINEER, reason="waiting on the customer"))
    await rig.env.sleep(HOUR + timedelta(minutes=1))
    view = await rig.wait_for(handle, lambda v: v.notice_sent_at is not None, "the notice")
    assert view.paused  # still paused: the notice clock never stopped
    assert view.sla.notice is SlaOutcome.BREACHED
    await rig.stored_entries(handle, "sla_breached", "the breach in the store", sla="notice")
    assert breach_due(rig, handle, "notice") == notice_due.isoformat() if notice_due else False
    assert view.sla.acknowledge is SlaOutcome.PENDING  # 1 h acknowledge clock stood still
    await rig.cancel(handle)


async def test_the_cap_refuses_a_pause(rig: Rig) -> None:
    handle = await noticed(rig, P2={"pause": {"max_total": "PT1H"}})
    now = await rig.env.get_current_time()
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(EscalationWorkflow.pause, PauseInput(
            actor=ENGINEER, reason="long wait", until=now + 2 * HOUR))
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "action_not_allowed"
    assert "pause.max_total = PT1H" in cause.message
    assert "keep running" in cause.message

    await handle.execute_update(EscalationWorkflow.pause,
                                PauseInput(actor=ENGINEER, reason="short wait"))
    await rig.env.sleep(HOUR + timedelta(minutes=1))  # the allowance runs out: ends by itself
    await rig.wait_for(handle, lambda v: not v.paused, "the cap to end the pause")
    with pytest.raises(WorkflowUpdateFailedError) as used_up:
        await handle.execute_update(EscalationWorkflow.pause,
                                    PauseInput(actor=ENGINEER, reason="again"))
    assert "is used up" in str(used_up.value.cause)
    await rig.cancel(handle)


async def test_a_business_clock_paused_over_a_weekend_moves_by_the_business_time(
        rig: Rig) -> None:
    handle = await noticed(rig, P2={"clock": "business", "pause": {}})  # no cap
    before = (await handle.query(EscalationWorkflow.state)).deadlines.resolve_due
    assert before is not None
    paused = await handle.execute_update(EscalationWorkflow.pause,
                                         PauseInput(actor=ENGINEER, reason="over the weekend"))
    assert paused.paused_at is not None
    # Until the Monday 10:00 after the next Saturday: a weekend and some opening hours.
    start = paused.paused_at.astimezone(UTC)
    saturday = start.date() + timedelta(days=(5 - start.weekday()) % 7 or 7)
    monday_10 = datetime.combine(saturday + timedelta(days=2), datetime.min.time(),
                                 tzinfo=UTC) + 10 * HOUR
    await rig.env.sleep(monday_10 - start)
    view = await handle.execute_update(EscalationWorkflow.resume,
                                       ResumeInput(actor=ENGINEER, note="back"))
    calendar = rig.policy.calendar
    assert view.paused_at is None
    resumed_at = view.updated_at
    moved = add_business_time(before, business_time_between(start, resumed_at, calendar),
                              calendar)
    assert view.deadlines.resolve_due == moved
    weekend = business_time_between(datetime.combine(saturday, datetime.min.time(), tzinfo=UTC),
                                    datetime.combine(saturday + timedelta(days=2),
                                                     datetime.min.time(), tzinfo=UTC), calendar)
    assert weekend == timedelta(0)  # the weekend itself moved nothing
    await rig.cancel(handle)
