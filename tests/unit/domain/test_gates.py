"""The resolve gates in the pure domain: who is asked, which clock runs, what passing does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from domain import lifecycle, timers
from domain.enums import Gate, Level, ResolutionState, SlaOutcome, TimelineType
from domain.lifecycle import gates
from domain.models import (
    AcknowledgeInput,
    ActionInput,
    CustomerAccessInput,
    ResolutionInput,
    VerificationInput,
)
from domain.state import EscalationState
from domain.timers import TimerKind
from domain.transition import Transition
from tests.unit.domain.test_lifecycle import ENG, IM, LEAD, POLICY, T0, in_resolve

P2 = POLICY.sla(in_resolve().priority)  # billing, not VIP: P2


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def act(state: EscalationState, command: ActionInput, minutes: float, **options: Any
        ) -> EscalationState:
    lifecycle.ensure_allowed(state, lifecycle.ACTION_OF[type(command)], command)
    return lifecycle.apply(state, command, at=at(minutes), **options).state


def declared(minutes: float = 10, **options: Any) -> EscalationState:
    state = act(in_resolve(), AcknowledgeInput(actor=ENG), 3)
    return act(state, ResolutionInput(actor=IM, summary="refunded"), minutes, **options)


def verified(minutes: float = 20) -> EscalationState:
    return act(declared(), VerificationInput(actor=ENG, verified=True), minutes)


def gate_kinds(state: EscalationState) -> set[TimerKind]:
    gate_timers = {TimerKind.VERIFY_REMINDER, TimerKind.VERIFY_OVERDUE,
                   TimerKind.CONFIRM_REMINDER, TimerKind.CONFIRM_OVERDUE}
    return {t.kind for t in timers.pending_timers(state)} & gate_timers


def fired(state: EscalationState, kind: TimerKind) -> Transition:
    (timer,) = [t for t in timers.pending_timers(state) if t.kind is kind]
    return timers.fire(state, timer, at=timer.due)


def test_the_timer_kinds_are_the_gates_own() -> None:
    for gate in Gate:
        assert {TimerKind(k) for k in gates.timer_kinds(gate)} <= set(TimerKind)


def test_a_declared_resolution_arms_the_verification_clock() -> None:
    state = declared(10)
    start = at(10)
    assert state.deadlines.verify_due == start + P2.verify_within
    assert state.deadlines.verify_reminder_due == start + P2.verify_within * P2.warn_at
    assert gate_kinds(state) == {TimerKind.VERIFY_REMINDER, TimerKind.VERIFY_OVERDUE}
    assert state.sla.verify is SlaOutcome.PENDING


def test_the_verifiers_are_asked_with_the_due_time() -> None:
    transition = lifecycle.apply(act(in_resolve(), AcknowledgeInput(actor=ENG), 3),
                                 ResolutionInput(actor=IM, summary="refunded"), at=at(10))
    (ask,) = [n for n in transition.notifications if n.event.value == "resolution_declared"]
    assert ask.recipient.name == "Billing on-call"
    due = (at(10) + P2.verify_within).strftime("%Y-%m-%d %H:%M UTC")
    assert due in ask.subject
    assert "refunded" in ask.message


def test_the_reminder_names_what_is_due_and_when() -> None:
    transition = fired(declared(), TimerKind.VERIFY_REMINDER)
    (reminder,) = transition.notifications
    assert reminder.event.value == "reminder"
    assert "verification" in reminder.subject
    due = (at(10) + P2.verify_within).strftime("%Y-%m-%d %H:%M UTC")
    assert due in reminder.message


def test_an_unverified_resolution_escalates_when_the_clock_passes() -> None:
    state = fired(fired(declared(), TimerKind.VERIFY_REMINDER).state,
                  TimerKind.VERIFY_OVERDUE).state
    assert state.sla.verify is SlaOutcome.BREACHED
    assert state.level is Level.TEAM_LEAD
    assert gate_kinds(state) == set()


def test_verification_closes_its_gate_and_opens_the_engagement_leads() -> None:
    state = verified(20)
    assert (state.deadlines.verify_due, state.sla.verify) == (None, SlaOutcome.MET)
    assert state.deadlines.confirm_due == at(20) + P2.confirm_within
    assert gate_kinds(state) == {TimerKind.CONFIRM_REMINDER, TimerKind.CONFIRM_OVERDUE}


def test_the_engagement_lead_is_asked_to_confirm_customer_access() -> None:
    transition = lifecycle.apply(declared(), VerificationInput(actor=ENG, verified=True),
                                 at=at(20))
    asks = [n for n in transition.notifications if n.recipient.name == "Sam"]
    assert len(asks) == 1
    assert "confirm" in asks[0].subject
    assert (at(20) + P2.confirm_within).strftime("%Y-%m-%d %H:%M UTC") in asks[0].message


@pytest.mark.parametrize("confirmed", [True, False])
def test_the_engagement_leads_answer_closes_the_gate(confirmed: bool) -> None:
    state = act(verified(), CustomerAccessInput(actor=LEAD, confirmed=confirmed), 30)
    assert (state.deadlines.confirm_due, state.sla.confirm) == (None, SlaOutcome.MET)
    assert gate_kinds(state) == set()


def test_a_rejected_verification_clears_the_gate_and_rearms_the_resolve_timers() -> None:
    state = act(declared(), VerificationInput(actor=ENG, verified=False, note="still charged"), 20)
    assert state.resolution_state is ResolutionState.WORKING
    assert (state.deadlines.verify_due, state.deadlines.verify_reminder_due) == (None, None)
    pending = {t.kind for t in timers.pending_timers(state)}
    assert {TimerKind.RESOLVE_WARNING, TimerKind.RESOLVE_DEADLINE} <= pending
    assert gate_kinds(state) == set()


def test_a_second_declaration_gets_fresh_gate_timers() -> None:
    state = fired(declared(), TimerKind.VERIFY_REMINDER).state
    state = act(state, VerificationInput(actor=ENG, verified=False), 100)
    state = act(state, ResolutionInput(actor=IM, summary="refunded again"), 110)
    assert gate_kinds(state) == {TimerKind.VERIFY_REMINDER, TimerKind.VERIFY_OVERDUE}
    assert state.deadlines.verify_due == at(110) + P2.verify_within


def test_a_breached_gate_stays_breached_on_a_second_declaration() -> None:
    state = fired(declared(), TimerKind.VERIFY_OVERDUE).state
    state = act(state, VerificationInput(actor=ENG, verified=False), 200)
    state = act(state, ResolutionInput(actor=IM, summary="again"), 210)
    assert state.sla.verify is SlaOutcome.BREACHED


def test_without_gate_clocks_nothing_is_armed_and_nobody_extra_is_asked() -> None:
    """What an escalation replaying history from before the gates had clocks does."""
    state = declared(gate_clocks=False)
    assert (state.deadlines.verify_due, state.sla.verify) == (None, None)
    transition = lifecycle.apply(state, VerificationInput(actor=ENG, verified=True), at=at(20),
                                 gate_clocks=False)
    assert transition.state.deadlines.confirm_due is None
    assert all(n.recipient.name != "Sam" for n in transition.notifications)


def test_a_policy_without_the_gate_keys_defaults_them() -> None:
    raw = POLICY.model_dump(mode="json")
    for table in raw["priorities"].values():
        del table["verify_within"], table["confirm_within"]
    sla = type(POLICY).model_validate(raw).sla(in_resolve().priority)
    assert (sla.verify_within, sla.confirm_within) == (sla.acknowledge_within, sla.update_every)


def test_the_gate_deadline_is_the_current_one_in_messages() -> None:
    assert lifecycle.sla.current_deadline(declared()) == (
        "verification due", at(10) + P2.verify_within)
    assert lifecycle.sla.current_deadline(verified()).what == "customer access confirmation due"


def test_gate_entries_record_their_due_times() -> None:
    transition = lifecycle.apply(act(in_resolve(), AcknowledgeInput(actor=ENG), 3),
                                 ResolutionInput(actor=IM, summary="x"), at=at(10))
    (entry,) = [e for e in transition.entries if e.type is TimelineType.RESOLUTION_DECLARED]
    assert entry.details["verify_due"] == (at(10) + P2.verify_within).isoformat()
