"""Timer edges, decided by the pure domain with explicit instants.

The rule these tests pin down: a deadline is due at its instant (inclusive), and when an action
and a timer land on the same instant, whichever the workflow applies first wins. The workflow
serialises both through one lock in history order, so there is always a first:
- the action first: its SLA is met and the timer is no longer pending (it never fires);
- the timer first: the SLA is breached and the escalation escalates; the action is still
  allowed and recorded, but does not undo the breach.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.policy_files import preset_text
from domain import lifecycle
from domain.enums import Level, Priority, SlaOutcome, TimelineType
from domain.errors import PolicyError
from domain.models import (
    AcknowledgeInput,
    ActionInput,
    ActionPlanInput,
    Actor,
    CreateEscalationInput,
    NoticeInput,
    ResolutionInput,
    TimelineEntry,
)
from domain.policy import Policy, parse_policy, validate_policy
from domain.routing import route
from domain.state import EscalationRequest, EscalationState
from domain.timers import PendingTimer, TimerKind, fire, pending_timers

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
IM = Actor(name="alice", role="incident_manager")
ENGINEER = Actor(name="bob", role="engineer")
POLICY = parse_policy(preset_text("default"))


def opened(priority: Priority = Priority.P1, at: datetime = T0) -> EscalationState:
    body = CreateEscalationInput.model_validate(
        {"title": "Login down", "category": "outage", "priority": priority.value})
    request = EscalationRequest(id="esc-edge", request=body, routing=route(POLICY, body),
                                policy=POLICY, created_by="alice", request_id="r",
                                request_hash="h")
    return lifecycle.intake(request, request.routing, at).state


def act(state: EscalationState, command: ActionInput, at: datetime) -> EscalationState:
    action = lifecycle.ACTION_OF[type(command)]
    lifecycle.ensure_allowed(state, action, command)  # what the validator checks first
    return lifecycle.apply(state, command, at=at).state


def in_resolve(state: EscalationState) -> EscalationState:
    """Notice sent and an action plan set a minute in: the resolve stage, resolve timers armed."""
    state = act(state, NoticeInput(actor=IM), T0 + timedelta(minutes=1))
    return act(state, ActionPlanInput(actor=IM, steps=[{"description": "fail over"}]),
               T0 + timedelta(minutes=2))


def timer(state: EscalationState, kind: TimerKind) -> PendingTimer:
    (found,) = [t for t in pending_timers(state) if t.kind is kind]
    return found


def kinds(state: EscalationState) -> set[TimerKind]:
    return {t.kind for t in pending_timers(state)}


def due_now(state: EscalationState, now: datetime) -> list[PendingTimer]:
    """What the workflow fires when it wakes at `now`: the pending timers due by then."""
    return [t for t in pending_timers(state) if t.due <= now]


@dataclass(frozen=True)
class Race:
    sla: str
    kind: TimerKind
    prepare: Callable[[EscalationState], EscalationState]
    command: ActionInput


RACES = [
    Race("acknowledge", TimerKind.ACKNOWLEDGE, lambda s: s, AcknowledgeInput(actor=ENGINEER)),
    Race("notice", TimerKind.NOTICE, lambda s: s, NoticeInput(actor=IM)),
    Race("resolve", TimerKind.RESOLVE_DEADLINE, in_resolve,
         ResolutionInput(actor=IM, summary="failed over")),
]


@pytest.mark.parametrize("race", RACES, ids=lambda r: r.sla)
def test_a_deadline_is_due_at_its_own_instant(race: Race) -> None:
    state = race.prepare(opened())
    due = timer(state, race.kind).due
    assert race.kind in {t.kind for t in due_now(state, due)}
    assert race.kind not in {t.kind for t in due_now(state, due - timedelta(microseconds=1))}


@pytest.mark.parametrize("race", RACES, ids=lambda r: r.sla)
def test_action_applied_first_at_the_due_instant_meets_the_sla_and_the_timer_never_fires(
    race: Race,
) -> None:
    state = race.prepare(opened())
    due = timer(state, race.kind).due
    after = act(state, race.command, due)
    assert getattr(after.sla, race.sla) is SlaOutcome.MET
    assert race.kind not in kinds(after)
    assert race.kind not in {t.kind for t in due_now(after, due)}
    assert after.level is Level.AGENT  # nothing escalated


@pytest.mark.parametrize("race", RACES, ids=lambda r: r.sla)
def test_timer_applied_first_at_the_due_instant_breaches_and_the_action_keeps_the_breach(
    race: Race,
) -> None:
    state = race.prepare(opened())
    pending = timer(state, race.kind)
    fired = fire(state, pending, at=pending.due).state
    assert getattr(fired.sla, race.sla) is SlaOutcome.BREACHED
    assert fired.level is not Level.AGENT  # the automatic escalation happened
    assert race.kind not in kinds(fired)  # one-shot: it cannot fire again

    after = act(fired, race.command, pending.due)  # still allowed at the same instant
    assert getattr(after.sla, race.sla) is SlaOutcome.BREACHED
    assert after.level is fired.level
    assert race.kind not in kinds(after)


@dataclass
class CatchUp:
    state: EscalationState
    order: list[TimerKind]
    entries: list[TimelineEntry]


def catch_up(state: EscalationState, now: datetime) -> CatchUp:
    """The workflow's catch-up after an outage: fire the earliest due timer, look again."""
    done = CatchUp(state, [], [])
    for _ in range(50):  # bounded: a timer that re-arms itself as due would loop forever
        due = due_now(done.state, now)
        if not due:
            return done
        transition = fire(done.state, due[0], at=now)
        done.order.append(due[0].kind)
        done.entries += transition.entries
        done.state = transition.state
    raise AssertionError(f"timers still due after 50 firings: {done.order[-5:]}")


# Each priority's timers in due order (policy.md's table); P2's acknowledge and notice are both
# due at one hour: the tie goes to the notice (TimerKind order), every time.
CATCH_UP = {
    Priority.P1: [TimerKind.ACKNOWLEDGE, TimerKind.NOTICE, TimerKind.ENGAGE_MORE,
                  TimerKind.RESOLVE_WARNING, TimerKind.RESOLVE_DEADLINE],
    Priority.P2: [TimerKind.NOTICE, TimerKind.ACKNOWLEDGE, TimerKind.ENGAGE_MORE,
                  TimerKind.RESOLVE_WARNING, TimerKind.RESOLVE_DEADLINE],
    Priority.P3: [TimerKind.NOTICE, TimerKind.ACKNOWLEDGE, TimerKind.ENGAGE_MORE,
                  TimerKind.RESOLVE_WARNING, TimerKind.RESOLVE_DEADLINE],
    Priority.P4: [TimerKind.NOTICE, TimerKind.ACKNOWLEDGE, TimerKind.ENGAGE_MORE,
                  TimerKind.RESOLVE_WARNING, TimerKind.RESOLVE_DEADLINE],
}


@pytest.mark.parametrize("priority", list(CATCH_UP), ids=str)
def test_deadlines_passed_while_down_are_listed_in_due_order(priority: Priority) -> None:
    state = opened(priority)
    late = T0 + timedelta(days=30)
    listed = due_now(state, late)
    assert [t.kind for t in listed] == CATCH_UP[priority]
    assert [t.due for t in listed] == sorted(t.due for t in listed)


@pytest.mark.parametrize("priority", list(CATCH_UP), ids=str)
def test_deadlines_passed_while_down_fire_once_each_in_due_order(priority: Priority) -> None:
    late = T0 + timedelta(days=30)
    done = catch_up(opened(priority), late)
    assert done.order == CATCH_UP[priority]
    assert due_now(done.state, late) == []
    breaches = [e.details["sla"] for e in done.entries if e.type is TimelineType.SLA_BREACHED]
    assert sorted(breaches) == ["acknowledge", "notice", "resolve"]
    # The status cadence starts with the (automatic) notice: from the late instant, not before.
    assert timer(done.state, TimerKind.UPDATE_CADENCE).due == (
        late + POLICY.sla(priority).update_every)


def test_late_firings_are_stamped_when_they_ran_and_keep_their_deadline() -> None:
    late = T0 + timedelta(hours=6)
    entries = catch_up(opened(Priority.P1), late).entries
    breaches = {e.details["sla"]: e for e in entries if e.type is TimelineType.SLA_BREACHED}
    assert breaches["acknowledge"].details["due"] == (T0 + timedelta(minutes=15)).isoformat()
    assert breaches["notice"].details["due"] == (T0 + timedelta(hours=1)).isoformat()
    assert breaches["resolve"].details["due"] == (T0 + timedelta(hours=4)).isoformat()
    assert {e.at for e in entries} == {late}
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + len(entries)))


ZERO_OR_LESS = ["PT0S", "P0D", "PT0H0M", "PT0.0000001S"]  # the last rounds to zero


def _with(path: str, value: str) -> dict[str, Any]:
    raw: dict[str, Any] = tomllib.loads(preset_text("default"))
    node = raw
    *parents, last = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return raw


DURATION_KEYS = [
    "notice.within",
    "notifications.retry_for",
    "priorities.P1.acknowledge_within",
    "priorities.P1.update_every",
    "priorities.P2.engage_more_after",
    "priorities.P3.resolve_within",
    "priorities.P1.internal_rca_within",
    "priorities.P2.customer_rca_within",
    "priority_signals.repeat_customer.within",
    "complaint_kinds.standard.acknowledge_within",
    "complaint_kinds.standard.final_response_within",
]


@pytest.mark.parametrize("value", ZERO_OR_LESS)
@pytest.mark.parametrize("key", DURATION_KEYS)
def test_zero_length_durations_are_refused_naming_the_key(key: str, value: str) -> None:
    with pytest.raises(PolicyError) as refused:
        validate_policy(_with(key, value), source="zero.toml")
    assert f"{key}: must be longer than zero" in refused.value.problems


def test_a_negative_duration_is_not_a_duration() -> None:
    with pytest.raises(PolicyError) as refused:
        validate_policy(_with("priorities.P1.acknowledge_within", "-PT15M"))
    assert any(p.startswith("priorities.P1.acknowledge_within: not an ISO 8601 duration")
               for p in refused.value.problems)


def test_the_shortest_positive_duration_is_accepted() -> None:
    policy: Policy = validate_policy(_with("priorities.P1.acknowledge_within", "PT0.000001S"))
    assert policy.sla(Priority.P1).acknowledge_within == timedelta(microseconds=1)
