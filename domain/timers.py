"""The workflow's timers as data: which are armed, when each is due, and what firing does.

The workflow waits for the earliest pending timer (or for an action that changes the answer)
and hands a fired timer back to `fire`; a satisfied timer simply stops being pending.
"""

from __future__ import annotations

from datetime import datetime

from domain import complaint_timers
from domain import recipients as to
from domain.enums import (
    Audience,
    EscalationType,
    Gate,
    Level,
    NotificationAudience,
    NotificationEvent,
    RcaKind,
    RcaStatus,
    ResolutionState,
    SlaOutcome,
    Stage,
    TimelineType,
)
from domain.lifecycle import gates, pausing
from domain.lifecycle.sla import gate_within, human, next_update_due, rca_reminder_due
from domain.lifecycle.steps import advance, escalate_level, send_notice
from domain.models import RcaTask
from domain.state import EscalationState
from domain.timer_kinds import REGULATORY, PendingTimer, TimerKind
from domain.transition import Transition, Tx

__all__ = ["REGULATORY", "PendingTimer", "TimerKind", "fire", "human", "pending_timers"]

_OPEN_GATE = {ResolutionState.DECLARED: Gate.VERIFY, ResolutionState.VERIFIED: Gate.CONFIRM}
_GATE_KINDS = {Gate.VERIFY: (TimerKind.VERIFY_REMINDER, TimerKind.VERIFY_OVERDUE),
               Gate.CONFIRM: (TimerKind.CONFIRM_REMINDER, TimerKind.CONFIRM_OVERDUE)}
# kind -> (its gate, True for the deadline rather than the reminder)
_GATE_TIMERS = {kind: (gate, i == 1) for gate, kinds in _GATE_KINDS.items()
                for i, kind in enumerate(kinds)}


def pending_timers(state: EscalationState) -> list[PendingTimer]:
    """Every timer armed now, earliest first. Empty once the escalation is closed or cancelled."""
    if not state.is_open:
        return []
    d, fired, created = state.deadlines, set(state.fired), state.created_at
    sla = state.policy.sla(state.priority)
    timers: list[PendingTimer] = []
    # While paused the SLA clocks stop (lifecycle/pausing.py); the notice and regulatory run on.
    stopped = pausing.PAUSED_KINDS if state.is_paused else frozenset()

    def arm(kind: TimerKind, due: datetime | None, summary: str) -> None:
        if due is not None and kind.value not in fired and kind not in stopped:
            timers.append(PendingTimer(kind=kind, due=due, summary=summary))

    working = state.resolution_state is ResolutionState.WORKING and state.stage in (
        Stage.START, Stage.COMMUNICATE, Stage.RESOLVE)
    if state.notice_sent_at is None and d.notice_due:
        arm(TimerKind.NOTICE, d.notice_due,
            f"stakeholder notice due ({human(d.notice_due - created)})")
    if state.acknowledged_at is None and d.acknowledge_due and state.stage is not Stage.CLOSE:
        arm(TimerKind.ACKNOWLEDGE, d.acknowledge_due,
            f"acknowledge due ({human(d.acknowledge_due - created)})")
    if working:
        if d.engage_more_due:
            arm(TimerKind.ENGAGE_MORE, d.engage_more_due,
                f"engage more parties ({human(d.engage_more_due - created)})")
        if d.resolve_warning_due:
            arm(TimerKind.RESOLVE_WARNING, d.resolve_warning_due,
                f"resolve SLA warning ({int(sla.warn_at * 100)}%)")
        if d.resolve_due:
            arm(TimerKind.RESOLVE_DEADLINE, d.resolve_due,
                f"resolve deadline ({human(d.resolve_due - created)})")
        if d.next_update_due and state.notice_sent_at is not None and not stopped:
            timers.append(PendingTimer(
                kind=TimerKind.UPDATE_CADENCE, due=d.next_update_due,
                summary=f"status update due (every {human(sla.update_every)})"))
        # Complaints opened before the record; the record's clocks are complaint_timers'.
        if d.delay_notice_due:
            arm(TimerKind.DELAY_NOTICE, d.delay_notice_due, "complaint delay notice due")
        if d.final_response_due and state.complaint is None:
            arm(TimerKind.FINAL_RESPONSE, d.final_response_due, "complaint final response due")
    gate = _OPEN_GATE.get(state.resolution_state)
    if gate is not None and state.stage is Stage.RESOLVE:
        (reminder_due, due), (reminder, overdue) = gates.deadlines(state, gate), _GATE_KINDS[gate]
        what = gates.WHAT[gate]
        arm(reminder, reminder_due, f"{what} reminder ({int(sla.warn_at * 100)}%)")
        arm(overdue, due, f"{what} due ({human(gate_within(state, gate))})")
    for task, reminder, overdue in (
        (state.rca_internal, TimerKind.INTERNAL_RCA_REMINDER, TimerKind.INTERNAL_RCA_OVERDUE),
        (state.rca_customer, TimerKind.CUSTOMER_RCA_REMINDER, TimerKind.CUSTOMER_RCA_OVERDUE),
    ):
        if task is not None and task.submitted_at is None:
            arm(reminder, rca_reminder_due(task, sla.warn_at),
                f"{task.kind.value} RCA reminder (due {human(task.due_at - task.created_at)})")
            arm(overdue, task.due_at, f"{task.kind.value} RCA due")
    timers += complaint_timers.pending(state)
    if state.paused_until is not None:
        timers.append(PendingTimer(kind=TimerKind.PAUSE_ENDS, due=state.paused_until,
                                   summary="pause of the SLA clocks ends"))
    return sorted(timers, key=lambda t: (t.due, list(TimerKind).index(t.kind)))


def fire(state: EscalationState, timer: PendingTimer, *, at: datetime) -> Transition:
    """What a timer does when it comes due unsatisfied (lifecycle.md, "Timers armed")."""
    tx = Tx(state, at, "system")
    s = tx.state
    if timer.kind not in (TimerKind.UPDATE_CADENCE, TimerKind.PAUSE_ENDS):  # these re-arm
        s.fired = [*s.fired, timer.kind.value]
    if s.complaint is not None and timer.kind in REGULATORY:
        complaint_timers.fire(tx, timer)
        return tx.done()
    match timer.kind:
        case TimerKind.NOTICE:
            s.sla.notice = SlaOutcome.BREACHED
            tx.log(TimelineType.SLA_BREACHED, {"sla": "notice", "due": timer.due.isoformat()})
            send_notice(tx, None, [Audience.INTERNAL, Audience.CUSTOMERS], automatic=True)
            escalate_level(tx, Level.TEAM_LEAD, kind=EscalationType.AUTOMATIC,
                           reason="no stakeholder notice within the first hour")
            advance(tx)
        case TimerKind.ACKNOWLEDGE:
            s.sla.acknowledge = SlaOutcome.BREACHED
            tx.log(TimelineType.SLA_BREACHED, {"sla": "acknowledge", "due": timer.due.isoformat()})
            escalate_level(tx, s.level.raised(), kind=EscalationType.AUTOMATIC,
                           reason="not acknowledged in time")
        case TimerKind.ENGAGE_MORE:
            escalate_level(tx, s.level.raised(), kind=EscalationType.AUTOMATIC,
                           reason="still unresolved: engaging more parties", tier=s.tier + 1)
        case TimerKind.RESOLVE_WARNING:
            tx.log(TimelineType.SLA_WARNING, {"sla": "resolve", "resolve_due": (
                s.deadlines.resolve_due.isoformat() if s.deadlines.resolve_due else None)})
            tx.notify(NotificationEvent.SLA_WARNING,
                      to.owner_reach(s) + to.team_reach(s, Level.TEAM_LEAD),
                      subject=f"[{s.priority.value}] Resolve deadline approaching: {s.title}",
                      message=f"{s.title} must be resolved by {to.when(s.deadlines.resolve_due)}"
                      ". Past that the resolve SLA is breached and the managers are told.")
        case TimerKind.RESOLVE_DEADLINE:
            s.sla.resolve = SlaOutcome.BREACHED
            tx.log(TimelineType.SLA_BREACHED, {"sla": "resolve", "due": timer.due.isoformat()})
            tx.notify(NotificationEvent.SLA_BREACHED, to.team_reach(s, Level.MANAGER),
                      subject=f"[{s.priority.value}] Resolve SLA breached: {s.title}",
                      message=f"{s.title} passed its resolve deadline ({to.when(timer.due)}) "
                      "unresolved.")
            escalate_level(tx, s.level.raised(), kind=EscalationType.AUTOMATIC,
                           reason="resolve deadline passed")
        case TimerKind.UPDATE_CADENCE:
            _missed_update(tx, timer)
        case TimerKind.INTERNAL_RCA_REMINDER | TimerKind.CUSTOMER_RCA_REMINDER:
            _rca_reminder(tx, RcaKind.INTERNAL if timer.kind is TimerKind.INTERNAL_RCA_REMINDER
                          else RcaKind.CUSTOMER)
        case TimerKind.INTERNAL_RCA_OVERDUE | TimerKind.CUSTOMER_RCA_OVERDUE:
            _rca_overdue(tx, RcaKind.INTERNAL if timer.kind is TimerKind.INTERNAL_RCA_OVERDUE
                         else RcaKind.CUSTOMER)
        case TimerKind.DELAY_NOTICE:
            text = to.fill(s.policy.templates.delay_notice, s)
            tx.log(TimelineType.NOTICE_SENT, {"kind": "delay_notice", "message": text,
                                              "audiences": ["customers"], "automatic": True})
            tx.notify(NotificationEvent.NOTICE, to.customer_reach(s),
                      subject=f"Delay notice: {s.title}",
                      message=text, audience=NotificationAudience.CUSTOMER)
        case (TimerKind.VERIFY_REMINDER | TimerKind.VERIFY_OVERDUE | TimerKind.CONFIRM_REMINDER
              | TimerKind.CONFIRM_OVERDUE):
            gate, is_overdue = _GATE_TIMERS[timer.kind]
            if is_overdue:
                gates.overdue(tx, gate, timer.due.isoformat())
            else:
                gates.remind(tx, gate)
        case TimerKind.PAUSE_ENDS:
            pausing.resume(tx, "", by=pausing.ended_by(s))
        case TimerKind.FINAL_RESPONSE:
            s.sla.final_response = SlaOutcome.BREACHED
            tx.log(TimelineType.SLA_BREACHED, {"sla": "final_response",
                                               "due": timer.due.isoformat()})
            escalate_level(tx, s.level.raised(), kind=EscalationType.AUTOMATIC,
                           reason="complaint final-response deadline passed")
    return tx.done()


def _missed_update(tx: Tx, timer: PendingTimer) -> None:
    s = tx.state
    every = s.policy.sla(s.priority).update_every
    s.missed_updates += 1
    s.deadlines.next_update_due = next_update_due(s, timer.due)
    tx.log(TimelineType.REMINDER_SENT, {"kind": "status_update", "missed": s.missed_updates})
    tx.notify(NotificationEvent.REMINDER, to.owner_reach(s),
              subject=f"[{s.priority.value}] Status update overdue: {s.title}",
              message=f"No status update on {s.title} for {human(every * s.missed_updates)}. "
              f"Post one now; the next is due by {to.when(s.deadlines.next_update_due)}."
              + (" A second missed interval escalates to the team lead."
                 if s.missed_updates == 1 else ""))
    if s.missed_updates == 2:
        escalate_level(tx, Level.TEAM_LEAD, kind=EscalationType.AUTOMATIC,
                       reason="two status-update intervals passed without an update")


def _task(tx: Tx, kind: RcaKind) -> RcaTask:
    task = tx.state.rca_internal if kind is RcaKind.INTERNAL else tx.state.rca_customer
    assert task is not None
    return task


def _rca_reminder(tx: Tx, kind: RcaKind) -> None:
    s, task = tx.state, _task(tx, kind)
    tx.log(TimelineType.REMINDER_SENT,
           {"kind": f"{kind.value}_rca", "due_at": task.due_at.isoformat()})
    assignee = (to.coordinator_reach(s) if kind is RcaKind.INTERNAL
                else to.engagement_lead_reach(s))
    tx.notify(NotificationEvent.REMINDER, assignee,
              subject=f"Reminder: {kind.value} RCA due {to.when(task.due_at)}: {s.title}",
              message=f"The {kind.value} root cause analysis for {s.title} is due "
              f"{to.when(task.due_at)}. Past that, the task is overdue and the managers are told.")


def _rca_overdue(tx: Tx, kind: RcaKind) -> None:
    s, task = tx.state, _task(tx, kind)
    overdue = task.model_copy(update={"status": RcaStatus.OVERDUE})
    if kind is RcaKind.INTERNAL:
        s.rca_internal = overdue
    else:
        s.rca_customer = overdue
    tx.log(TimelineType.RCA_OVERDUE, {"kind": kind.value, "assignee": task.assignee})
    tx.notify(NotificationEvent.SLA_BREACHED, to.team_reach(s, Level.MANAGER),
              subject=f"RCA overdue: {s.title}",
              message=f"The {kind.value} RCA for {s.title} ({task.assignee}) is overdue.")
