"""Every RG 271 clock of the complaint record fires, on the dates the preset's calendar gives:
acknowledgement (24 hours, one business day), the five-business-day rule, the final-response
warning, breach and extension, and deadlines across Sydney's daylight-saving changes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.complaint_record import ClosedUnder, FiveDayRule
from domain.enums import Level, SlaOutcome
from domain.models import (
    ComplaintAckInput,
    DelayNoticeInput,
    EscalationView,
    ResolveEarlyInput,
    TimelineEntry,
)
from tests.support.complaints import (
    SYDNEY,
    complaint_body,
    complaints_policy,
    easter_thursday,
    go_to,
    local,
    next_dst_change,
    now,
    plain_week_monday,
)
from tests.support.escalations import IM, LEAD
from tests.unit.workflows.rig import Handle, Rig
from workflows.escalation import EscalationWorkflow

REACTION = timedelta(seconds=1)  # a fired timer is handled this soon after its instant


def _contact(rig: Rig) -> dict[str, str]:
    return {"channel": "webhook", "address": rig.receiver.url("/complainant")}


def _entries(rig: Rig, handle: Handle, kind: str, sla: str | None = None) -> list[TimelineEntry]:
    return [e for e in rig.timeline(handle.id) if e.type.value == kind
            and (sla is None or e.details.get("sla") == sla)]


def _at(entry: TimelineEntry, due: datetime) -> bool:
    return timedelta(0) <= entry.at - due < REACTION


async def _state(handle: Handle) -> EscalationView:
    return await handle.query(EscalationWorkflow.state)


async def test_the_acknowledgement_goes_out_by_itself_before_24_hours(rig: Rig) -> None:
    policy = complaints_policy(rig.receiver.url(""))  # auto-send two hours before the deadline
    handle, created = await rig.open(complaint_body(_contact(rig)), policy=policy)
    record = created.escalation.complaint
    assert record is not None
    due = record.received_at + timedelta(hours=24)
    assert created.escalation.deadlines.complaint_acknowledge_due == due
    await rig.env.sleep(timedelta(hours=21, minutes=59))
    assert (await _state(handle)).sla.complaint_acknowledge is SlaOutcome.PENDING
    await rig.env.sleep(timedelta(minutes=2))
    view = await rig.wait_for(handle, lambda v: v.sla.complaint_acknowledge is SlaOutcome.MET,
                              "automatic acknowledgement")
    assert view.complaint is not None
    assert view.complaint.acknowledged_automatically
    assert view.complaint.acknowledged_at is not None
    assert _at_time(view.complaint.acknowledged_at, due - timedelta(hours=2))
    assert view.acknowledged_at is None  # our internal acknowledge is another clock
    await rig.settle(handle)
    assert rig.events_to("/complainant") == ["complaint_acknowledgement"]
    await rig.cancel(handle)


def _at_time(instant: datetime, due: datetime) -> bool:
    return timedelta(0) <= instant - due < REACTION


async def test_an_unacknowledged_complaint_is_breached_at_24_hours(rig: Rig) -> None:
    policy = complaints_policy(rig.receiver.url(""), standard={"acknowledge_auto_before": None})
    handle, created = await rig.open(complaint_body(_contact(rig)), policy=policy)
    due = created.escalation.deadlines.complaint_acknowledge_due
    assert due is not None
    await rig.env.sleep(timedelta(hours=23, minutes=59))
    assert (await _state(handle)).sla.complaint_acknowledge is SlaOutcome.PENDING
    await rig.env.sleep(timedelta(minutes=2))
    view = await rig.wait_for(handle, lambda v: v.sla.complaint_acknowledge
                              is SlaOutcome.BREACHED, "acknowledgement breach")
    assert _at(_entries(rig, handle, "sla_breached", "complaint_acknowledgement")[0], due)
    assert view.level is Level.TEAM_LEAD
    await rig.cancel(handle)


async def test_an_acknowledgement_sent_by_hand_stops_its_clock(rig: Rig) -> None:
    policy = complaints_policy(rig.receiver.url(""))
    handle, _ = await rig.open(complaint_body(_contact(rig)), policy=policy)
    await rig.env.sleep(timedelta(hours=3))
    await handle.execute_update(EscalationWorkflow.acknowledge_complaint,
                                ComplaintAckInput(actor=LEAD))
    await rig.env.sleep(timedelta(hours=24))
    view = await _state(handle)
    assert view.sla.complaint_acknowledge is SlaOutcome.MET
    assert view.complaint is not None
    assert not view.complaint.acknowledged_automatically
    await rig.settle(handle)
    assert rig.events_to("/complainant") == ["complaint_acknowledgement"]
    await rig.cancel(handle)


async def test_one_business_day_crosses_easter_and_its_weekend(rig: Rig) -> None:
    policy = complaints_policy(rig.receiver.url(""), standard={
        "acknowledge_within": "PT8H", "acknowledge_clock": "business",
        "acknowledge_auto_before": None})
    thursday = easter_thursday(policy, await now(rig.env))
    received = local(thursday, 17, 30)  # after hours, before Good Friday
    await go_to(rig.env, received + timedelta(minutes=1))
    handle, created = await rig.open(complaint_body(_contact(rig), received_at=received),
                                     policy=policy)
    # Friday, Saturday, Sunday and Monday are holidays or weekend: Tuesday's close.
    due = local(thursday + timedelta(days=5), 17)
    assert created.escalation.deadlines.complaint_acknowledge_due == due
    await go_to(rig.env, due - timedelta(minutes=1))
    assert (await _state(handle)).sla.complaint_acknowledge is SlaOutcome.PENDING
    await go_to(rig.env, due + timedelta(minutes=1))
    await rig.wait_for(handle, lambda v: v.sla.complaint_acknowledge is SlaOutcome.BREACHED,
                       "breach on Tuesday")
    assert _at(_entries(rig, handle, "sla_breached", "complaint_acknowledgement")[0], due)
    await rig.cancel(handle)


async def _received_on_a_monday(rig: Rig) -> tuple[Handle, EscalationView, date]:
    """A complaint received at 10:00 on a Monday whose next eight days hold no holiday."""
    policy = complaints_policy(rig.receiver.url(""))
    monday = plain_week_monday(policy, await now(rig.env))
    received = local(monday, 10)
    await go_to(rig.env, received + timedelta(minutes=1))
    handle, created = await rig.open(complaint_body(_contact(rig), received_at=received),
                                     policy=policy)
    return handle, created.escalation, monday


async def test_resolved_on_business_day_five_at_1659_ends_the_clock(rig: Rig) -> None:
    handle, opened, monday = await _received_on_a_monday(rig)
    received = local(monday, 10)
    window = local(monday + timedelta(days=7), 17)  # the fifth business day: next Monday
    assert opened.deadlines.early_resolution_due == window
    await go_to(rig.env, local(monday + timedelta(days=7), 16, 59))
    view = await handle.execute_update(EscalationWorkflow.resolve_early, ResolveEarlyInput(
        actor=IM, note="Fee refunded; Jo is happy with that.", satisfied=True))
    assert view.complaint is not None
    assert view.complaint.closed_under is ClosedUnder.FIVE_DAY_RULE
    assert view.complaint.five_day_rule is FiveDayRule.APPLIED
    assert view.complaint.outcome == "resolved_in_favour_of_complainant"
    assert view.sla.final_response is SlaOutcome.MET
    await go_to(rig.env, received + timedelta(days=31))
    assert not _entries(rig, handle, "sla_breached") + _entries(rig, handle, "sla_warning")
    assert not _entries(rig, handle, "early_resolution_window_closed")
    await rig.cancel(handle)


async def test_on_business_day_six_the_five_day_rule_is_missed(rig: Rig) -> None:
    handle, _, monday = await _received_on_a_monday(rig)
    await go_to(rig.env, local(monday + timedelta(days=8), 10))  # Tuesday: business day 6
    view = await rig.wait_for(handle, lambda v: v.complaint is not None and
                              v.complaint.five_day_rule is FiveDayRule.WINDOW_CLOSED,
                              "window closed")
    assert _at(_entries(rig, handle, "early_resolution_window_closed")[0],
               local(monday + timedelta(days=7), 17))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(EscalationWorkflow.resolve_early, ResolveEarlyInput(
            actor=IM, note="Refunded.", satisfied=True))
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "action_not_allowed"
    assert "five-business-day window closed" in cause.message
    assert view.sla.final_response is SlaOutcome.PENDING  # the IDR response is still owed
    await rig.cancel(handle)


FINAL = [  # kind, issue, days, warning before the deadline, the day a notice goes out
    ("standard", "fees_charges", 30, 5, 29),
    ("credit_default_or_hardship", "default_notice", 21, 3, 20),
]


@pytest.mark.parametrize("notice", [True, False], ids=["with_notice", "without_notice"])
@pytest.mark.parametrize(("kind", "issue", "days", "warn", "notice_day"), FINAL,
                         ids=[f[0] for f in FINAL])
async def test_the_final_response_deadline(
    rig: Rig, kind: str, issue: str, days: int, warn: int, notice_day: int, notice: bool
) -> None:
    policy = complaints_policy(rig.receiver.url(""))
    body: dict[str, Any] = complaint_body(_contact(rig), kind=kind, issues=[issue])
    handle, created = await rig.open(body, policy=policy)
    record, due = created.escalation.complaint, created.escalation.deadlines.final_response_due
    assert record is not None
    assert due is not None
    assert due.astimezone(SYDNEY) == record.received_at.astimezone(SYDNEY) + timedelta(days=days)
    await rig.env.sleep(timedelta(days=notice_day))
    warning = await rig.wait_for(handle, lambda v: bool(
        _entries(rig, handle, "sla_warning", "final_response")), "warning")
    assert _at(_entries(rig, handle, "sla_warning", "final_response")[0],
               due - timedelta(days=warn))
    if notice:
        await handle.execute_update(EscalationWorkflow.send_delay_notice, DelayNoticeInput(
            actor=LEAD, reasons="We are waiting for the card scheme's records."))
    await rig.env.sleep(timedelta(days=days - notice_day, minutes=1))
    view = await rig.wait_for(handle, lambda v: v.sla.final_response in (
        SlaOutcome.BREACHED, SlaOutcome.EXTENDED), "deadline")
    if notice:
        assert view.sla.final_response is SlaOutcome.EXTENDED
        assert _at(_entries(rig, handle, "sla_extended")[0], due)
        assert not _entries(rig, handle, "sla_breached", "final_response")
    else:
        assert view.sla.final_response is SlaOutcome.BREACHED
        assert _at(_entries(rig, handle, "sla_breached", "final_response")[0], due)
        assert view.level.value != warning.level.value  # escalated on the breach
    await rig.settle(handle)
    assert "sla_warning" in rig.events_to("/complaints/team_lead")
    assert rig.events_to("/complainant").count("delay_notice") == (1 if notice else 0)
    await rig.cancel(handle)


@pytest.mark.parametrize("month", [4, 10], ids=["april", "october"])
async def test_a_deadline_across_a_daylight_saving_change_keeps_its_local_time(
    rig: Rig, month: int
) -> None:
    policy = complaints_policy(rig.receiver.url(""))
    change = next_dst_change(await now(rig.env), month)
    received = local(change - timedelta(days=20), 10)
    await go_to(rig.env, received + timedelta(minutes=1))
    handle, created = await rig.open(complaint_body(_contact(rig), received_at=received),
                                     policy=policy)
    due = created.escalation.deadlines.final_response_due
    assert due is not None
    assert due == local(change + timedelta(days=10), 10)  # 10:00 Sydney, thirty dates later
    assert due.astimezone(SYDNEY).time() == time(10)
    hours = 30 * 24 + (1 if month == 4 else -1)  # an hour gained in April, lost in October
    assert due - received == timedelta(hours=hours)
    await go_to(rig.env, due + timedelta(minutes=1))
    await rig.wait_for(handle, lambda v: v.sla.final_response is SlaOutcome.BREACHED, "breach")
    assert _at(_entries(rig, handle, "sla_breached", "final_response")[0], due)
    await rig.cancel(handle)
