"""Deadline arithmetic: when each SLA, status update and RCA task falls due.

Every due time comes from the escalation's policy snapshot and the instant passed in, so the
workflow gets the same answer on replay. SLA durations run on the priority's clock (calendar or
business time, policy.md) and the snapshot's calendar.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from domain.calendar import close_of_business_day, due_at, regulatory_due
from domain.complaint_record import FiveDayRule
from domain.enums import Gate, RcaKind, ResolutionState, SlaOutcome, Stage
from domain.models import Deadlines, RcaTask
from domain.state import EscalationState


class StageDeadline(NamedTuple):
    """The deadline a message's reader has to meet next, and what it is for."""

    what: str
    due: datetime


def human(duration: timedelta) -> str:
    """1h, 15m, 2d, 1h30m: short enough for a timer summary in the Temporal UI."""
    seconds = int(duration.total_seconds())
    if seconds <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts[:2])


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
    if kind is not None and state.complaint is not None:
        return _with_complaint_clocks(state, deadlines)
    if kind is not None:  # a complaint opened before the record: the clocks it was opened with
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


def _with_complaint_clocks(state: EscalationState, deadlines: Deadlines) -> Deadlines:
    """The record's clocks, all counted from its received_at (RG 271.35: moving a complaint
    around does not restart its clock), in the policy calendar's time zone."""
    policy, record = state.policy, state.complaint
    assert record is not None
    assert state.complaint_kind is not None
    kind = policy.complaint_kinds[state.complaint_kind]
    received, calendar = record.received_at, policy.calendar
    if kind.acknowledge_within is not None:
        deadlines.complaint_acknowledge_due = regulatory_due(
            received, kind.acknowledge_within, clock=kind.acknowledge_clock or kind.clock,
            calendar=calendar)
    if kind.final_response_within is not None:
        final = regulatory_due(received, kind.final_response_within, clock=kind.clock,
                               calendar=calendar)
        deadlines.final_response_due = final
        if kind.delay_notice_before is not None:
            deadlines.final_response_warning_due = final - kind.delay_notice_before
    if kind.informal_resolution_business_days and record.five_day_rule is FiveDayRule.AVAILABLE:
        deadlines.early_resolution_due = close_of_business_day(
            received, kind.informal_resolution_business_days, calendar)
    return deadlines


def next_update_due(state: EscalationState, after: datetime) -> datetime:
    """One update interval after `after`: an update posted, or the interval that just passed."""
    sla = state.policy.sla(state.priority)
    return due_at(after, sla.update_every, clock=sla.clock, calendar=state.policy.calendar)


def rca_due(state: EscalationState, kind: RcaKind, at: datetime) -> datetime:
    """An RCA task requested at `at`; a policy without an RCA duration gives it resolve_within."""
    sla = state.policy.sla(state.priority)
    within = sla.internal_rca_within if kind is RcaKind.INTERNAL else sla.customer_rca_within
    return _due(state, at, (within or sla.resolve_within).total_seconds())


def rca_reminder_due(task: RcaTask, warn_at: float) -> datetime:
    """The same share of the task's time as the resolve warning takes of resolve_within."""
    return task.created_at + (task.due_at - task.created_at) * warn_at


def gate_within(state: EscalationState, gate: Gate) -> timedelta:
    sla = state.policy.sla(state.priority)
    return sla.verify_within if gate is Gate.VERIFY else sla.confirm_within


def gate_deadlines(state: EscalationState, gate: Gate, at: datetime) -> tuple[datetime, datetime]:
    """(reminder, due) of a gate opened at `at`: the reminder at warn_at of its window, like
    the resolve warning, on the priority's clock."""
    sla = state.policy.sla(state.priority)
    within = gate_within(state, gate).total_seconds()
    return _due(state, at, within * sla.warn_at), _due(state, at, within)


def current_deadline(state: EscalationState) -> StageDeadline | None:
    """The deadline that applies in the escalation's current stage: the open gate while a
    resolution awaits verification or confirmation, the open RCA task in close, else the
    earliest of the working clocks still running. None once it is closed or cancelled."""
    if not state.is_open:
        return None
    d = state.deadlines
    if state.stage is Stage.CLOSE:
        for task in (state.rca_customer, state.rca_internal):
            if task is not None and task.submitted_at is None:
                return StageDeadline(f"{task.kind.value} RCA due", task.due_at)
        return None
    paused = state.is_paused  # the SLA clocks stand still: only notice and complaint run on
    if state.resolution_state is ResolutionState.DECLARED:
        return (StageDeadline("verification due", d.verify_due)
                if d.verify_due and not paused else None)
    if state.resolution_state is ResolutionState.VERIFIED:
        return (StageDeadline("customer access confirmation due", d.confirm_due)
                if d.confirm_due and not paused else None)
    candidates = [
        StageDeadline("stakeholder notice due", d.notice_due)
        if state.notice_sent_at is None and d.notice_due else None,
        StageDeadline("acknowledgement due", d.acknowledge_due)
        if state.acknowledged_at is None and d.acknowledge_due and not paused else None,
        StageDeadline("status update due", d.next_update_due)
        if state.notice_sent_at is not None and d.next_update_due and not paused else None,
        StageDeadline("resolution due", d.resolve_due)
        if state.sla.resolve is SlaOutcome.PENDING and d.resolve_due and not paused else None,
        StageDeadline("final response due", d.final_response_due)
        if state.sla.final_response is SlaOutcome.PENDING and d.final_response_due else None,
    ]
    found = [c for c in candidates if c is not None]
    return min(found, key=lambda c: c.due) if found else None
