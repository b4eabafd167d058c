"""Re-triage and de-escalation in the pure domain."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import lifecycle, timers
from domain.enums import (
    Action,
    Category,
    EscalationType,
    Level,
    NotificationEvent,
    Priority,
    Temperature,
    TimelineType,
)
from domain.errors import ActionNotAllowed, InvalidAction
from domain.models import (
    DeescalateInput,
    EscalateInput,
    PauseInput,
    ResumeInput,
    RetriageInput,
)
from domain.routing import reroute
from domain.state import EscalationState
from domain.timers import TimerKind
from tests.unit.domain.test_lifecycle import ENG, IM, POLICY, T0, in_resolve, opened
from tests.unit.domain.test_pausing import act, at

HOUR = timedelta(hours=1)



def p3() -> EscalationState:
    return opened(priority="P3")


def test_p3_to_p1_recomputes_the_deadlines_as_if_p1_applied_from_creation() -> None:
    retriaged = act(p3(), RetriageInput(actor=IM, priority=Priority.P1, reason="outage"), 2)
    s, p1 = retriaged.state, POLICY.sla(Priority.P1)
    assert s.priority is Priority.P1
    assert s.deadlines.resolve_due == T0 + p1.resolve_within
    assert s.deadlines.acknowledge_due == T0 + p1.acknowledge_within
    # Already past: due now, so the run loop fires it at once.
    due_now = {t.kind for t in timers.pending_timers(s) if t.due <= at(2)}
    assert TimerKind.ACKNOWLEDGE in due_now
    (entry,) = [e for e in retriaged.entries if e.type is TimelineType.RETRIAGED]
    assert entry.details["before"]["priority"] == "P3"
    assert entry.details["after"]["priority"] == "P1"
    assert "resolve_due" in entry.details["deadlines"]
    assert "priority P3 -> P1" in s.routing.reasons[-1]


def test_earlier_pauses_still_count_after_a_retriage() -> None:
    state = act(p3(), PauseInput(actor=ENG, reason="wait"), 0.5).state
    state = act(state, ResumeInput(actor=ENG), 1.5).state
    s = act(state, RetriageInput(actor=IM, priority=Priority.P1, reason="worse"), 2).state
    assert s.deadlines.resolve_due == T0 + POLICY.sla(Priority.P1).resolve_within + HOUR


def test_a_fired_clock_stays_fired() -> None:
    state = p3()
    (ack,) = [t for t in timers.pending_timers(state) if t.kind is TimerKind.ACKNOWLEDGE]
    breached = timers.fire(state, ack, at=ack.due).state
    s = act(breached, RetriageInput(actor=IM, priority=Priority.P4, reason="minor"), 7).state
    assert s.deadlines.acknowledge_due == state.deadlines.acknowledge_due
    assert TimerKind.ACKNOWLEDGE not in {t.kind for t in timers.pending_timers(s)}


def test_a_team_change_tells_the_new_team_and_keeps_the_deadlines() -> None:
    state = in_resolve()
    team = next(t for t in POLICY.teams if t != state.team)
    done = act(state, RetriageInput(actor=IM, team=team, reason="theirs"), 1)
    assert done.state.team == team
    assert done.state.deadlines == state.deadlines
    told = [n for n in done.notifications if n.event is NotificationEvent.RETRIAGED]
    wanted = {r.address for r in POLICY.teams[team].contacts.agent}
    assert wanted
    assert {n.recipient.address for n in told} >= wanted


def test_a_category_change_recomputes_the_temperature() -> None:
    s = act(opened(), RetriageInput(actor=IM, category=Category.FEEDBACK, reason="x"), 1).state
    assert (s.category, s.temperature) == (Category.FEEDBACK, Temperature.COLD)


@pytest.mark.parametrize("command", [
    RetriageInput(actor=IM, priority=Priority.P2, reason="same"),
    RetriageInput(actor=IM, team="nobody-such", reason="x"),
], ids=["nothing-changes", "unknown-team"])
def test_a_retriage_that_changes_nothing_or_names_no_team_is_invalid(
        command: RetriageInput) -> None:
    with pytest.raises(InvalidAction):
        lifecycle.ensure_allowed(in_resolve(), Action.RETRIAGE, command)


def test_a_retriage_needs_something_to_change() -> None:
    with pytest.raises(ValueError, match="priority, category or team"):
        RetriageInput(actor=IM, reason="x")


def test_deescalate_at_the_lowest_level_is_refused() -> None:
    with pytest.raises(ActionNotAllowed, match="lowest level"):
        lifecycle.ensure_allowed(in_resolve(), Action.DEESCALATE,
                                 DeescalateInput(actor=IM, reason="calm"))


def test_deescalate_moves_one_level_down_and_tells_the_level_left() -> None:
    up = act(in_resolve(), EscalateInput(actor=IM, type=EscalationType.HIERARCHICAL,
                                         reason="slow"), 1).state
    assert up.level is Level.TEAM_LEAD
    down = act(up, DeescalateInput(actor=IM, reason="under control"), 2)
    assert down.state.level is Level.AGENT
    (entry,) = down.entries[:1]
    assert entry.type is TimelineType.DEESCALATED
    assert (entry.details["from_level"], entry.details["to_level"]) == ("team_lead", "agent")
    told = {n.recipient.address for n in down.notifications
            if n.event is NotificationEvent.DEESCALATED}
    assert told == {r.address for r in POLICY.teams[up.team].contacts.team_lead}


def test_the_rules_run_again_and_their_tier_applies_on_their_team() -> None:
    state = opened()  # billing, not VIP: rule billing
    view = state.to_view([])
    routing = reroute(POLICY, view, category=Category.OUTAGE, priority=None)
    assert (routing.rule, routing.team, routing.tier) == ("outage", "sre", 3)
    same_team = act(state, RetriageInput(actor=IM, category=Category.OUTAGE, team="sre",
                                         reason="outage", routing=routing), 1).state
    assert (same_team.tier, same_team.routing.rule) == (3, "outage")
    other_team = act(state, RetriageInput(actor=IM, category=Category.OUTAGE, reason="outage",
                                          routing=routing), 1).state
    assert other_team.tier == state.tier  # the rule's tier is sre's, the escalation is billing's
    assert other_team.routing.reasons[-1].startswith("re-triaged by alice: category billing")
