"""The resolve gates: a declared resolution waits for the engineers' verification, a verified
one for the engagement lead's confirmation of customer access. Each gate has an owner who is
asked, and a clock: a reminder at warn_at of its window and an automatic escalation when it
passes (policy keys `verify_within`, `confirm_within`).

A gate opens with its deadlines in `Deadlines` (so a paused clock can move them like the
others) and closes, whatever the answer, when it is passed; a rejected resolution closes it and
a new declaration opens it again with fresh timers.
"""

from __future__ import annotations

from datetime import datetime

from domain import recipients as to
from domain.enums import (
    EscalationType,
    Gate,
    Level,
    NotificationEvent,
    SlaOutcome,
    TimelineType,
)
from domain.lifecycle.sla import gate_deadlines, gate_within, human
from domain.lifecycle.steps import escalate_level
from domain.reach import Reach
from domain.state import EscalationState
from domain.transition import Tx

WHAT = {Gate.VERIFY: "verification", Gate.CONFIRM: "customer access confirmation"}
_ASKED = {Gate.VERIFY: "verification of the declared resolution",
          Gate.CONFIRM: "confirmation of the customer's access"}


def timer_kinds(gate: Gate) -> tuple[str, str]:
    """The values of the gate's reminder and overdue TimerKind (domain.timers)."""
    return f"{gate.value}_reminder", f"{gate.value}_overdue"


def deadlines(state: EscalationState, gate: Gate) -> tuple[datetime | None, datetime | None]:
    """(reminder, due) of the gate; both None while it is not open or has no clock."""
    d = state.deadlines
    if gate is Gate.VERIFY:
        return d.verify_reminder_due, d.verify_due
    return d.confirm_reminder_due, d.confirm_due


def _set(tx: Tx, gate: Gate, reminder: datetime | None, due: datetime | None) -> None:
    d = tx.state.deadlines
    if gate is Gate.VERIFY:
        d.verify_reminder_due, d.verify_due = reminder, due
    else:
        d.confirm_reminder_due, d.confirm_due = reminder, due


def _outcome(tx: Tx, gate: Gate) -> SlaOutcome | None:
    return tx.state.sla.verify if gate is Gate.VERIFY else tx.state.sla.confirm


def _set_outcome(tx: Tx, gate: Gate, outcome: SlaOutcome) -> None:
    if gate is Gate.VERIFY:
        tx.state.sla.verify = outcome
    else:
        tx.state.sla.confirm = outcome


def open_gate(tx: Tx, gate: Gate) -> None:
    """Arm the gate's reminder and deadline from now; a breach stays a breach (like resolve)."""
    s = tx.state
    reminder, due = gate_deadlines(s, gate, tx.at)
    _set(tx, gate, reminder, due)
    kinds = timer_kinds(gate)
    s.fired = [k for k in s.fired if k not in kinds]  # a new declaration, new timers
    if _outcome(tx, gate) is not SlaOutcome.BREACHED:
        _set_outcome(tx, gate, SlaOutcome.PENDING)


def close_gate(tx: Tx, gate: Gate) -> None:
    """Passed, whatever the answer: its timers stop; in time, its clock is met."""
    _set(tx, gate, None, None)
    if _outcome(tx, gate) is SlaOutcome.PENDING:
        _set_outcome(tx, gate, SlaOutcome.MET)


def owners(tx: Tx, gate: Gate) -> Reach:
    """Who passes the gate: the team's front-line engineers verify (the contacts told of the
    declaration since before the gates had clocks), the engagement lead confirms."""
    if gate is Gate.VERIFY:
        return to.team_reach(tx.state, Level.AGENT)
    return to.engagement_lead_reach(tx.state)


def by_when(tx: Tx, gate: Gate) -> str:
    due = deadlines(tx.state, gate)[1]
    return f"by {to.when(due)}" if due else "as soon as you can"


# (event, subject, what happened, what is asked) of each gate's request to its owners.
_ASK = {
    Gate.VERIFY: (NotificationEvent.RESOLUTION_DECLARED, "Please verify the resolution",
                  "declared a resolution for", "Please verify it {when}: confirm that it works, "
                  "or reject it with the reason."),
    Gate.CONFIRM: (NotificationEvent.RESOLUTION_VERIFIED, "Please confirm the customer's access",
                   "verified the resolution of", "Please confirm with the customer that they "
                   "have access again {when}, or say that they do not."),
}


def ask(tx: Tx, gate: Gate) -> None:
    """Tell the gate's owners what waits for them, with the resolution and the due time."""
    s = tx.state
    event, subject, happened, asked = _ASK[gate]
    when = by_when(tx, gate)
    tx.notify(event, owners(tx, gate),
              subject=f"[{s.priority.value}] {subject} {when}: {s.title}",
              message=f"{tx.actor} {happened} {s.title}:\n\n{s.resolution or ''}\n\n"
              + asked.format(when=when))


def remind(tx: Tx, gate: Gate) -> None:
    """The gate's reminder timer: its owners are told what is due and when."""
    s = tx.state
    due = deadlines(s, gate)[1]
    tx.log(TimelineType.REMINDER_SENT,
           {"kind": gate.value, "due_at": due.isoformat() if due else None})
    tx.notify(NotificationEvent.REMINDER, owners(tx, gate),
              subject=f"[{s.priority.value}] Reminder: {_ASKED[gate]} due {by_when(tx, gate)}: "
              f"{s.title}",
              message=f"The {_ASKED[gate]} of {s.title} is still open and is due "
              f"{to.when(due)}. Past that, the escalation goes up a level.")


def overdue(tx: Tx, gate: Gate, due_iso: str) -> None:
    """The gate's deadline passed unanswered: breached, and one level up the chain."""
    s = tx.state
    _set_outcome(tx, gate, SlaOutcome.BREACHED)
    tx.log(TimelineType.SLA_BREACHED, {"sla": gate.value, "due": due_iso})
    escalate_level(tx, s.level.raised(), kind=EscalationType.AUTOMATIC,
                   reason=f"no {_ASKED[gate]} within {human(gate_within(s, gate))}")
