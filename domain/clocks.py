"""Every clock of an escalation as data: what the console shows beside each deadline.

`clocks(view, now=…)` reads the view only: each `Deadlines` field becomes a clock with its label,
due time, warning start and state, plus one clock per RCA task. A deadline field added to
`Deadlines` later shows up with a label made from its name and a state from its due time alone,
until `SPECS` says more about it. `next_due(view)` is the board's sort key (the store keeps it
in a column), independent of the time of day: the earliest due among the outstanding clocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from domain.enums import Action, RcaStatus, SlaOutcome, Stage, Status
from domain.models import PAUSABLE_DEADLINES, EscalationView, RcaTask


class ClockState(StrEnum):
    PENDING = "pending"  # not done, before its warning window
    WARNING = "warning"  # not done, inside its warning window
    BREACHED = "breached"  # passed undone, or done late
    MET = "met"  # done in time
    REACHED = "reached"  # a checkpoint whose time came (more parties engaged, delay notice)
    STOPPED = "stopped"  # no longer runs: the work it waited for is over
    PAUSED = "paused"  # stands still while the SLA clocks are paused (issue 22)


class Clock(BaseModel):
    key: str
    label: str
    due: datetime
    warn_from: datetime | None = None
    state: ClockState
    done_at: datetime | None = None
    outstanding: bool  # someone still has to act before `due`; the board counts down to it


@dataclass(frozen=True)
class Spec:
    """What the view says about one deadline: its words, its outcome, when it was done."""

    label: str
    outcome: Callable[[EscalationView], SlaOutcome | None] = lambda _v: None
    done_at: Callable[[EscalationView], datetime | None] = lambda _v: None
    runs: Callable[[EscalationView], bool] = lambda v: _working(v)
    warning_field: str | None = None  # another Deadlines field that starts the warning window
    # Else, when the clock started at creation: warning after the policy's warn_at share of it.
    started_at_creation: bool = False
    checkpoint: bool = False  # a timer that acts when due, not a promise to anyone


def _working(view: EscalationView) -> bool:
    """The resolve-side timers run until a resolution is declared (lifecycle.md)."""
    if view.status is not Status.OPEN or view.stage is Stage.CLOSE:
        return False
    declared = {Action.VERIFY_RESOLUTION.value, Action.CONFIRM_CUSTOMER_ACCESS.value}
    return not declared & set(view.allowed_actions)


def _open(view: EscalationView) -> bool:
    return view.status is Status.OPEN


SPECS: dict[str, Spec] = {
    "notice_due": Spec("Stakeholder notice", outcome=lambda v: v.sla.notice,
                       done_at=lambda v: v.notice_sent_at, runs=_open,
                       started_at_creation=True),
    "acknowledge_due": Spec("Acknowledge", outcome=lambda v: v.sla.acknowledge,
                            done_at=lambda v: v.acknowledged_at,
                            runs=lambda v: _open(v) and v.stage is not Stage.CLOSE,
                            started_at_creation=True),
    "engage_more_due": Spec("Engage more parties", checkpoint=True),
    "resolve_warning_due": Spec("Resolve warning"),  # the warning start of resolve_due
    "resolve_due": Spec("Resolve", outcome=lambda v: v.sla.resolve,
                        done_at=lambda v: v.resolution_declared_at,
                        warning_field="resolve_warning_due"),
    "next_update_due": Spec("Next status update"),
    "internal_rca_due": Spec("Internal RCA"),  # shown from the task itself (below)
    "customer_rca_due": Spec("Customer RCA"),
    "final_response_due": Spec("Complaint final response",
                               outcome=lambda v: v.sla.final_response,
                               warning_field="delay_notice_due"),
    "delay_notice_due": Spec("Complaint delay notice", checkpoint=True),
    # The resolve gates run while their answer is awaited; passed, their deadlines are cleared.
    "verify_due": Spec("Verify the resolution", outcome=lambda v: v.sla.verify,
                       runs=lambda v: _awaits(v, Action.VERIFY_RESOLUTION),
                       warning_field="verify_reminder_due"),
    "confirm_due": Spec("Confirm customer access", outcome=lambda v: v.sla.confirm,
                        runs=lambda v: _awaits(v, Action.CONFIRM_CUSTOMER_ACCESS),
                        warning_field="confirm_reminder_due"),
}
# Fields that are shown as part of another clock, never as a clock of their own.
_FOLDED = frozenset({"resolve_warning_due", "internal_rca_due", "customer_rca_due",
                     "verify_reminder_due", "confirm_reminder_due"})


def _awaits(view: EscalationView, action: Action) -> bool:
    return _open(view) and action.value in view.allowed_actions


def _label(field: str) -> str:
    return field.removesuffix("_due").replace("_", " ").capitalize()


def _state(*, due: datetime, warn_from: datetime | None, now: datetime,
           outcome: SlaOutcome | None, done_at: datetime | None) -> ClockState:
    if outcome is SlaOutcome.MET:
        return ClockState.MET
    if outcome is SlaOutcome.BREACHED:
        return ClockState.BREACHED
    if done_at is not None:
        return ClockState.MET if done_at <= due else ClockState.BREACHED
    if now >= due:
        return ClockState.BREACHED
    if warn_from is not None and now >= warn_from:
        return ClockState.WARNING
    return ClockState.PENDING


def _deadline_clock(view: EscalationView, field: str, due: datetime, now: datetime,
                    warn_share: float) -> Clock:
    spec = SPECS.get(field, Spec(_label(field)))
    done_at = spec.done_at(view)
    outcome = spec.outcome(view)
    runs = spec.runs(view)
    warn_from = getattr(view.deadlines, spec.warning_field) if spec.warning_field else None
    if warn_from is None and spec.started_at_creation:
        warn_from = due - (due - view.created_at) * (1 - warn_share)
    if spec.checkpoint:
        state = ClockState.REACHED if now >= due else (
            ClockState.PENDING if runs else ClockState.STOPPED)
        return Clock(key=field, label=spec.label, due=due, state=state, outstanding=False)
    state = _state(due=due, warn_from=warn_from, now=now, outcome=outcome, done_at=done_at)
    decided = done_at is not None or outcome is SlaOutcome.MET
    if not runs and not decided and state is not ClockState.BREACHED:
        state = ClockState.STOPPED
    outstanding = runs and not decided
    if view.paused and field in PAUSABLE_DEADLINES and outstanding and (
            outcome is not SlaOutcome.BREACHED):
        # Its due time moves on resume: no countdown to a time that will not hold.
        state, outstanding = ClockState.PAUSED, False
    return Clock(key=field, label=spec.label, due=due, warn_from=warn_from, state=state,
                 done_at=done_at, outstanding=outstanding)


def _task_clock(view: EscalationView, task: RcaTask, now: datetime, warn_share: float) -> Clock:
    warn_from = task.created_at + (task.due_at - task.created_at) * warn_share
    submitted = task.status is RcaStatus.SUBMITTED
    if task.status is RcaStatus.OVERDUE and not submitted:
        state = ClockState.BREACHED
    else:
        state = _state(due=task.due_at, warn_from=warn_from, now=now, outcome=None,
                       done_at=task.submitted_at)
    label = f"{task.kind.value.capitalize()} RCA ({task.assignee})"
    return Clock(key=f"rca_{task.kind.value}", label=label, due=task.due_at, warn_from=warn_from,
                 state=state, done_at=task.submitted_at,
                 outstanding=view.status is Status.OPEN and not submitted)


def clocks(view: EscalationView, *, now: datetime, warn_share: float = 0.8) -> list[Clock]:
    """Every clock of the escalation, soonest due first.

    `warn_share` is the policy's `warn_at` for the escalation's priority: the share of a clock's
    window after which it is in warning (the resolve clock uses its own warning timer)."""
    found: list[Clock] = []
    for field in type(view.deadlines).model_fields:
        due = getattr(view.deadlines, field)
        if isinstance(due, datetime) and field not in _FOLDED:
            found.append(_deadline_clock(view, field, due, now, warn_share))
    for task in (view.rca.internal, view.rca.customer):
        if task is not None:
            found.append(_task_clock(view, task, now, warn_share))
    return sorted(found, key=lambda c: c.due)


def next_clock(view: EscalationView, *, now: datetime, warn_share: float = 0.8) -> Clock | None:
    """The outstanding clock due soonest: what the board counts down to."""
    return next((c for c in clocks(view, now=now, warn_share=warn_share) if c.outstanding), None)


def next_due(view: EscalationView) -> datetime | None:
    """The board's sort key: whether a clock is outstanding does not depend on the time."""
    # Any instant works for `now`; only `outstanding` and `due` are read.
    found = next_clock(view, now=view.updated_at)
    return found.due if found is not None else None


def countdown(due: datetime, now: datetime) -> str:
    """`in 1h 5m`, `3m ago`: the text a clock shows before the browser takes over."""
    delta = due - now
    past = delta < timedelta(0)
    seconds = int(abs(delta.total_seconds()))
    parts: list[str] = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if seconds >= size or (unit == "s" and not parts):
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    text = " ".join(parts[:2])
    return f"{text} ago" if past else f"in {text}"
