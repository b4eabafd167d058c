"""Deadline arithmetic: when each SLA, status update and RCA task falls due.

Every due time comes from the escalation's policy snapshot and the instant passed in, so the
workflow gets the same answer on replay. SLA durations run on the priority's clock (calendar or
business time, policy.md) and the snapshot's calendar.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import close_of_business_day, due_at, regulatory_due
from domain.complaint_record import FiveDayRule
from domain.enums import RcaKind
from domain.models import Deadlines, RcaTask
from domain.state import EscalationState


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
