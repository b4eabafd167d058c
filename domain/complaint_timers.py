"""The complaint record's clocks (RG 271) as timers: which are armed, and what firing does.

They run from the record's received_at until the complaint closes, whatever the escalation's
resolution state, and they are regulatory: a pause of the SLA clocks never stops them.
"""

from __future__ import annotations

from datetime import datetime

from domain import recipients as to
from domain.complaint_record import FiveDayRule
from domain.enums import EscalationType, Level, NotificationEvent, SlaOutcome, TimelineType
from domain.lifecycle.complaints import acknowledge_complaint
from domain.lifecycle.steps import escalate_level
from domain.state import EscalationState
from domain.timer_kinds import PendingTimer, TimerKind
from domain.transition import Tx


def pending(state: EscalationState) -> list[PendingTimer]:
    record, d = state.complaint, state.deadlines
    if record is None or record.is_closed or state.complaint_kind is None:
        return []
    kind = state.policy.complaint_kinds[state.complaint_kind]
    fired = set(state.fired)
    timers: list[PendingTimer] = []

    def arm(timer: TimerKind, due: datetime | None, summary: str) -> None:
        if due is not None and timer.value not in fired:
            timers.append(PendingTimer(kind=timer, due=due, summary=summary))

    if record.acknowledged_at is None and d.complaint_acknowledge_due is not None:
        if kind.acknowledge_auto_before is not None:
            arm(TimerKind.COMPLAINT_ACKNOWLEDGEMENT_AUTO,
                max(d.complaint_acknowledge_due - kind.acknowledge_auto_before,
                    record.received_at),
                "complaint acknowledgement goes out automatically")
        arm(TimerKind.COMPLAINT_ACKNOWLEDGEMENT, d.complaint_acknowledge_due,
            "complaint acknowledgement due (RG 271)")
    if record.early_resolution is None and record.five_day_rule is FiveDayRule.AVAILABLE:
        arm(TimerKind.EARLY_RESOLUTION_WINDOW, d.early_resolution_due,
            "five-business-day window closes (RG 271)")
    if not record.delay_notices:
        arm(TimerKind.FINAL_RESPONSE_WARNING, d.final_response_warning_due,
            "complaint response or delay notice due soon (RG 271)")
    arm(TimerKind.FINAL_RESPONSE, d.final_response_due, "complaint final response due (RG 271)")
    return timers


def fire(tx: Tx, timer: PendingTimer) -> None:
    s = tx.state
    record = s.complaint
    assert record is not None
    match timer.kind:
        case TimerKind.COMPLAINT_ACKNOWLEDGEMENT_AUTO:
            acknowledge_complaint(tx, None, automatic=True)
        case TimerKind.COMPLAINT_ACKNOWLEDGEMENT:
            s.sla.complaint_acknowledge = SlaOutcome.BREACHED
            tx.log(TimelineType.SLA_BREACHED, {"sla": "complaint_acknowledgement",
                                               "due": timer.due.isoformat()})
            escalate_level(tx, Level.TEAM_LEAD, kind=EscalationType.AUTOMATIC,
                           reason=f"complaint {record.reference} not acknowledged in time")
        case TimerKind.EARLY_RESOLUTION_WINDOW:
            s.complaint = record.model_copy(update={"five_day_rule": FiveDayRule.WINDOW_CLOSED})
            tx.log(TimelineType.EARLY_RESOLUTION_WINDOW_CLOSED,
                   {"due": timer.due.isoformat(), "written_response_required": True})
        case TimerKind.FINAL_RESPONSE_WARNING:
            due = s.deadlines.final_response_due
            tx.log(TimelineType.SLA_WARNING, {"sla": "final_response",
                                              "final_response_due": due.isoformat() if due
                                              else None})
            tx.notify(NotificationEvent.SLA_WARNING,
                      [*to.owner_contacts(s), *to.team_contacts(s, Level.TEAM_LEAD)],
                      subject=f"Complaint {record.reference}: IDR response due: {s.title}",
                      message=f"Complaint {record.reference} ({s.title}) needs its IDR response "
                      f"by {due:%Y-%m-%d %H:%M} UTC. Neither a response nor a delay notice "
                      "has gone out: send one (RG 271).")
        case TimerKind.FINAL_RESPONSE if record.delay_notices:
            s.sla.final_response = SlaOutcome.EXTENDED
            tx.log(TimelineType.SLA_EXTENDED, {
                "sla": "final_response", "due": timer.due.isoformat(),
                "delay_notice_at": record.delay_notices[-1].at.isoformat()})
        case TimerKind.FINAL_RESPONSE:
            s.sla.final_response = SlaOutcome.BREACHED
            tx.log(TimelineType.SLA_BREACHED, {"sla": "final_response",
                                               "due": timer.due.isoformat()})
            tx.notify(NotificationEvent.SLA_BREACHED, to.team_contacts(s, Level.MANAGER),
                      subject=f"Complaint {record.reference}: IDR deadline missed: {s.title}",
                      message=f"Complaint {record.reference} passed its final-response "
                      "deadline without a response or a delay notice.")
            escalate_level(tx, s.level.raised(), kind=EscalationType.AUTOMATIC,
                           reason="complaint final-response deadline passed")
        case _:  # pragma: no cover - pending() arms only the kinds above
            raise ValueError(f"not a complaint timer: {timer.kind}")
