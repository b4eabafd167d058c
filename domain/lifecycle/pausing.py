"""Pausing the SLA clocks (issue 22): the team waits on the customer or a third party.

While paused, the acknowledge, resolve (with its warning and the engage-more checkpoint),
status-update cadence and resolve-gate clocks stop (`domain.timers.pending_timers` leaves them
out); on resume each one still running moves by the paused time in its own terms: business time
for a priority on the business clock, so a pause over a weekend moves a business clock by the
business hours it covered. The one-hour stakeholder notice and a complaint's regulatory clocks
never pause. Status stays `open`.

The cap, `pause.max_total` of the priority, counts wall-clock time in all pauses: a pause is
refused once it is used up, and so is one whose `until` lies past what is left; a pause without
`until` ends by itself when the allowance runs out. Either way the end is `paused_until`, armed as
the PAUSE_ENDS timer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import due_at, elapsed, iso_duration
from domain.enums import Action, Stage, TimelineType
from domain.models import PAUSABLE_DEADLINES, REGULATORY_DEADLINES, PauseInput
from domain.state import EscalationState, PauseSpan
from domain.timer_kinds import TimerKind
from domain.transition import Tx

# Each pausable deadline's timer: one that already fired stays where it fired.
_KINDS: dict[str, TimerKind] = {
    "acknowledge_due": TimerKind.ACKNOWLEDGE,
    "engage_more_due": TimerKind.ENGAGE_MORE,
    "resolve_warning_due": TimerKind.RESOLVE_WARNING,
    "resolve_due": TimerKind.RESOLVE_DEADLINE,
    "next_update_due": TimerKind.UPDATE_CADENCE,
    "verify_reminder_due": TimerKind.VERIFY_REMINDER,
    "verify_due": TimerKind.VERIFY_OVERDUE,
    "confirm_reminder_due": TimerKind.CONFIRM_REMINDER,
    "confirm_due": TimerKind.CONFIRM_OVERDUE,
}
assert set(_KINDS) == PAUSABLE_DEADLINES
PAUSED_KINDS = frozenset(_KINDS.values())

NEVER_PAUSE = ("the one-hour stakeholder notice and a complaint's regulatory clocks never "
               "pause: they keep running")
PAUSE_ACTIONS = frozenset({Action.PAUSE, Action.RESUME})


def cap(state: EscalationState) -> timedelta | None:
    return state.policy.sla(state.priority).pause.max_total


def remaining(state: EscalationState) -> timedelta | None:
    """What is left of the cap for a new pause; None without a cap."""
    limit = cap(state)
    return None if limit is None else limit - timedelta(seconds=state.paused_total)


def _cap_words(state: EscalationState) -> str:
    limit = cap(state)
    assert limit is not None
    return (f"the {state.priority.value} pause allowance (policy "
            f"priorities.{state.priority.value}.pause.max_total = {iso_duration(limit)})")


def why_not(state: EscalationState, action: Action) -> str | None:
    """The 409's words when pause or resume does not fit now; None when it does."""
    if action is Action.RESUME:
        return None if state.is_paused else "the SLA clocks are not paused"
    if state.is_paused:
        assert state.paused_at is not None
        return (f"the SLA clocks are already paused since {state.paused_at.isoformat()}; "
                f"{NEVER_PAUSE}")
    left = remaining(state)
    if left is not None and left <= timedelta(0):
        return f"{_cap_words(state)} is used up; {NEVER_PAUSE}"
    return None


def until_problem(state: EscalationState, command: PauseInput, now: datetime) -> str | None:
    """A 409 for an `until` past the allowance; None when it fits (or there is none)."""
    left = remaining(state)
    if command.until is None or left is None or command.until - now <= left:
        return None
    return (f"pause is not allowed: until {command.until.isoformat()} lies past "
            f"{_cap_words(state)}: {iso_duration(left)} is left, so at most "
            f"{(now + left).isoformat()}; {NEVER_PAUSE}")


def keeps_running(state: EscalationState) -> list[str]:
    """The clocks of this escalation that run on through a pause, as the answer names them."""
    found = []
    if state.notice_sent_at is None and state.deadlines.notice_due is not None:
        found.append("notice_due")
    found += sorted(f for f in REGULATORY_DEADLINES if getattr(state.deadlines, f) is not None)
    return found


def _stopped(state: EscalationState) -> list[str]:
    """The pausable deadlines still to come: set, not fired, and (acknowledge) not met."""
    fired = set(state.fired)
    met = {"acknowledge_due"} if state.acknowledged_at is not None else set()
    return sorted(f for f, kind in _KINDS.items()
                  if getattr(state.deadlines, f) is not None and kind.value not in fired
                  and f not in met)


def pause(tx: Tx, command: PauseInput) -> None:
    s = tx.state
    left = remaining(s)
    s.paused_at = tx.at
    by_cap = left is not None and command.until is None
    s.paused_until = command.until if command.until is not None else (
        tx.at + left if left is not None else None)
    tx.log(TimelineType.PAUSED, {
        "reason": command.reason,
        "until": _iso(s.paused_until),
        "ends": "until" if command.until else ("cap" if by_cap else "by hand"),
        "paused": _stopped(s),
        "keeps_running": keeps_running(s),
        "note": NEVER_PAUSE,
    })


def resume(tx: Tx, note: str, *, by: str) -> None:
    """End the pause: the stopped clocks move by the paused time. `by`: hand, until, cap,
    closed (the escalation left the working stages while paused)."""
    s = tx.state
    assert s.paused_at is not None
    span = PauseSpan(start=s.paused_at, end=tx.at)
    moved = {}
    for field in _stopped(s):
        due = getattr(s.deadlines, field)
        new = shifted(s, due, [span], since=_anchor(s, field))
        setattr(s.deadlines, field, new)
        moved[field] = new.isoformat()
    s.pauses = [*s.pauses, span]
    s.paused_at = s.paused_until = None
    tx.log(TimelineType.RESUMED, {
        "note": note, "by": by, "paused_seconds": int((span.end - span.start).total_seconds()),
        "paused_total": s.paused_total, "moved": moved,
    })


def ended_by(state: EscalationState) -> str:
    """What ended a pause that ended by itself: the cap's allowance running out, or `until`."""
    left = remaining(state)
    at_cap = (left is not None and state.paused_at is not None
              and state.paused_until == state.paused_at + left)
    return "cap" if at_cap else "until"


def end_if_closed(tx: Tx) -> None:
    """A pause ends with the working stages: close or cancel count its time."""
    s = tx.state
    if s.is_paused and (not s.is_open or s.stage is Stage.CLOSE):
        resume(tx, "", by="closed")


def _anchor(state: EscalationState, field: str) -> datetime | None:
    """When a deadline's clock started, if later than creation: only pause time after it
    counts (a cadence restarted, or a gate opened, during the pause)."""
    if field == "next_update_due":
        return state.last_update_at
    if field.startswith("verify"):
        return state.resolution_declared_at
    if field.startswith("confirm"):
        return state.resolved_at
    return None


def shifted(state: EscalationState, due: datetime, spans: list[PauseSpan],
            *, since: datetime | None = None) -> datetime:
    """`due` moved by the paused time of `spans` after `since`, on the priority's clock."""
    sla, calendar = state.policy.sla(state.priority), state.policy.calendar
    for span in spans:
        start = span.start if since is None else max(span.start, since)
        if start < span.end:
            due = due_at(due, elapsed(start, span.end, clock=sla.clock, calendar=calendar),
                         clock=sla.clock, calendar=calendar)
    return due


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
