"""Pausing the SLA clocks in the pure domain: what stops, what runs on, what moves on resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import lifecycle, timers
from domain.calendar import business_time_between
from domain.enums import Action, Priority, SlaOutcome, TimelineType
from domain.errors import ActionNotAllowed, InvalidInput
from domain.lifecycle.sla import current_deadline
from domain.models import (
    AcknowledgeInput,
    ActionInput,
    CancelInput,
    PauseInput,
    ResumeInput,
    StatusUpdateInput,
)
from domain.policy import PausePolicy, Policy
from domain.state import EscalationState
from domain.timers import TimerKind
from domain.transition import Transition
from tests.unit.domain.test_lifecycle import ENG, IM, POLICY, T0, in_resolve, opened

HOUR = timedelta(hours=1)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def act(state: EscalationState, command: ActionInput, hours: float) -> Transition:
    lifecycle.ensure_allowed(state, lifecycle.ACTION_OF[type(command)], command, at(hours))
    return lifecycle.apply(state, command, at=at(hours))


def paused(hours: float = 1, state: EscalationState | None = None, **pause: object
           ) -> EscalationState:
    command = PauseInput.model_validate({"actor": ENG, "reason": "waiting on logs", **pause})
    return act(state or in_resolve(), command, hours).state


def kinds(state: EscalationState) -> set[TimerKind]:
    return {t.kind for t in timers.pending_timers(state)}


def with_sla(state: EscalationState, **changes: object) -> EscalationState:
    """The escalation under a policy whose own priority's SLA has `changes`."""
    sla = state.policy.sla(state.priority).model_copy(update=changes)
    policy = state.policy.model_copy(
        update={"priorities": {**state.policy.priorities, state.priority: sla}})
    return state.model_copy(update={"policy": policy})


def test_a_pause_stops_the_sla_clocks_and_leaves_the_notice_running() -> None:
    state = paused(state=with_sla(in_resolve(), pause=PausePolicy()), hours=0.02)
    assert state.is_paused
    assert kinds(state) == set()  # notice sent already (in_resolve); no cap, no until
    fresh = paused(state=with_sla(opened(), pause=PausePolicy()), hours=0.02)
    assert kinds(fresh) == {TimerKind.NOTICE}


def test_resume_moves_every_running_clock_by_the_paused_time() -> None:
    resume = act(paused(hours=1), ResumeInput(actor=ENG, note="logs came"), 4)
    after = resume.state
    d0, d1 = in_resolve().deadlines, after.deadlines
    for field in ("acknowledge_due", "engage_more_due", "resolve_warning_due", "resolve_due"):
        assert getattr(d1, field) == getattr(d0, field) + 3 * HOUR, field
    assert not after.is_paused
    assert after.paused_total == 3 * 3600
    entry = resume.entries[0]
    assert entry.type is TimelineType.RESUMED
    assert entry.details["by"] == "hand"
    assert entry.details["moved"]["resolve_due"] == d1.resolve_due.isoformat()


def test_a_p2_paused_three_hours_is_due_three_hours_later() -> None:
    resumed = act(paused(hours=2), ResumeInput(actor=ENG), 5).state
    due = timers.pending_timers(resumed)
    resolve = next(t for t in due if t.kind is TimerKind.RESOLVE_DEADLINE)
    assert resolve.due == T0 + POLICY.sla(Priority.P2).resolve_within + 3 * HOUR


def test_a_business_clock_paused_over_a_weekend_moves_by_the_business_hours_paused() -> None:
    friday_4pm = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    monday_10am = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    state = with_sla(in_resolve(), clock="business")
    state.deadlines.resolve_due = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    pause = lifecycle.apply(state, PauseInput(actor=ENG, reason="customer away"), at=friday_4pm)
    resumed = lifecycle.apply(pause.state, ResumeInput(actor=ENG), at=monday_10am).state
    assert business_time_between(friday_4pm, monday_10am, state.policy.calendar) == 2 * HOUR
    assert resumed.deadlines.resolve_due == datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_a_cadence_restarted_during_the_pause_moves_only_by_the_time_after_it() -> None:
    state = paused(hours=1)
    updated = act(state, StatusUpdateInput(actor=ENG, message="still waiting"), 2).state
    resumed = act(updated, ResumeInput(actor=ENG), 4).state
    assert resumed.deadlines.next_update_due == at(2) + POLICY.sla(Priority.P2).update_every \
        + 2 * HOUR


def test_pause_twice_is_refused_saying_what_keeps_running() -> None:
    state = paused(hours=1)
    with pytest.raises(ActionNotAllowed, match=r"already paused.*notice.*keep running"):
        lifecycle.ensure_allowed(state, Action.PAUSE, PauseInput(actor=ENG, reason="again"))


def test_resume_without_a_pause_is_refused() -> None:
    with pytest.raises(ActionNotAllowed, match="not paused"):
        lifecycle.ensure_allowed(in_resolve(), Action.RESUME, ResumeInput(actor=ENG))


def test_a_pause_without_until_ends_by_itself_when_the_cap_is_used_up() -> None:
    state = paused(hours=1, state=with_sla(in_resolve(), pause=PausePolicy(max_total=2 * HOUR)))
    assert state.paused_until == at(3)
    (ends,) = [t for t in timers.pending_timers(state) if t.kind is TimerKind.PAUSE_ENDS]
    fired = timers.fire(state, ends, at=ends.due)
    assert not fired.state.is_paused
    assert fired.entries[0].type is TimelineType.RESUMED
    assert fired.entries[0].details["by"] == "cap"
    with pytest.raises(ActionNotAllowed, match=r"pause.max_total = PT2H\) is used up.*running"):
        lifecycle.ensure_allowed(fired.state, Action.PAUSE, PauseInput(actor=ENG, reason="more"))
    assert Action.PAUSE not in lifecycle.allowed_actions(fired.state)


def test_until_past_the_allowance_is_refused_naming_the_cap() -> None:
    state = with_sla(in_resolve(), pause=PausePolicy(max_total=2 * HOUR))
    command = PauseInput(actor=ENG, reason="long wait", until=at(4))
    with pytest.raises(ActionNotAllowed, match=r"pause.max_total = PT2H.*PT2H is left"):
        lifecycle.ensure_allowed(state, Action.PAUSE, command, at(1))


def test_until_ends_the_pause_by_itself() -> None:
    state = paused(hours=1, until=at(2))
    (ends,) = [t for t in timers.pending_timers(state) if t.kind is TimerKind.PAUSE_ENDS]
    assert ends.due == at(2)
    fired = timers.fire(state, ends, at=ends.due)
    assert fired.entries[0].details["by"] == "until"
    assert fired.state.paused_total == 3600


def test_until_in_the_past_is_invalid() -> None:
    command = PauseInput(actor=ENG, reason="x", until=at(0.5))
    with pytest.raises(InvalidInput):
        lifecycle.ensure_allowed(in_resolve(), Action.PAUSE, command, at(1))


def test_the_pause_entry_names_the_clocks_that_stop_and_those_that_run_on() -> None:
    entry = act(opened(), PauseInput(actor=ENG, reason="waiting"), 0.1).entries[0]
    assert entry.type is TimelineType.PAUSED
    assert "resolve_due" in entry.details["paused"]
    assert entry.details["keeps_running"] == ["notice_due"]
    assert "never pause" in entry.details["note"]


def test_a_cancel_while_paused_ends_the_pause_and_counts_its_time() -> None:
    cancelled = act(paused(hours=1), CancelInput(actor=IM, reason="dup"), 2).state
    assert not cancelled.is_paused
    assert cancelled.paused_total == 3600


def test_a_breached_clock_stays_where_it_breached() -> None:
    state = in_resolve()
    (ack,) = [t for t in timers.pending_timers(state) if t.kind is TimerKind.ACKNOWLEDGE]
    breached = timers.fire(state, ack, at=ack.due).state
    assert breached.sla.acknowledge is SlaOutcome.BREACHED
    resumed = act(paused(hours=2, state=breached), ResumeInput(actor=ENG), 3).state
    assert resumed.deadlines.acknowledge_due == state.deadlines.acknowledge_due


def test_the_view_shows_the_pause() -> None:
    view = paused(hours=1).to_view([])
    assert (view.paused, view.paused_at, view.paused_total) == (True, at(1), 0)


def test_the_default_policy_caps_every_priority() -> None:
    assert all(POLICY.sla(p).pause.max_total for p in Priority)
    assert isinstance(POLICY, Policy)


def test_while_paused_a_message_names_no_stopped_clock_as_next_deadline() -> None:
    running = current_deadline(in_resolve())
    assert running is not None
    assert running.what == "acknowledgement due"
    assert current_deadline(paused(hours=0.1)) is None  # notice sent; nothing else runs
    found = current_deadline(paused(hours=0.1, state=opened()))
    assert found is not None
    assert found.what == "stakeholder notice due"


def test_an_acknowledgement_during_the_pause_keeps_its_deadline_where_it_was() -> None:
    state = paused(hours=0.1)
    acknowledged = act(state, AcknowledgeInput(actor=ENG), 0.2).state
    resumed = act(acknowledged, ResumeInput(actor=ENG), 2).state
    assert resumed.deadlines.acknowledge_due == in_resolve().deadlines.acknowledge_due
    assert resumed.deadlines.resolve_due == in_resolve().deadlines.resolve_due + 1.9 * HOUR


def test_the_view_counts_the_time_paused_before_the_acknowledgement_and_the_resolution() -> None:
    # Paused 0.1 h -> 0.2 h, acknowledged at 0.3 h; paused again from 1 h, the resolution
    # declared at 1.5 h while that pause still runs (it counts up to the declaration).
    first = act(paused(hours=0.1), ResumeInput(actor=ENG), 0.2).state
    acknowledged = act(first, AcknowledgeInput(actor=ENG), 0.3).state
    again = paused(hours=1, state=acknowledged)
    declared = again.model_copy(update={"resolution_declared_at": at(1.5)})

    view = declared.to_view([])
    assert view.paused_before_acknowledgement == 360  # 0.1 h
    assert view.paused_before_resolution == 360 + 1800  # 0.1 h + 0.5 h of the running pause
    assert in_resolve().to_view([]).paused_before_resolution == 0  # nothing declared yet
