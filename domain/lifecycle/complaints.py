"""The complaint record's actions and steps (RG 271): acknowledgement to the complainant, the
five-business-day rule, delay notices and the final (IDR) response.

Each customer-facing message is the policy's template filled from the record, sent to the
complainant's own contact; the timers of `domain.complaint_timers` share these steps.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain import recipients as to
from domain.complaint_codes import received_via
from domain.complaint_record import (
    ClosedUnder,
    ComplaintRecord,
    DelayNoticeSent,
    EarlyResolution,
    FiveDayRule,
    IdrResponseSent,
)
from domain.enums import NotificationAudience, NotificationEvent, SlaOutcome, TimelineType
from domain.models import CreateEscalationInput, Recipient, ResolveEarlyInput
from domain.policy import Policy
from domain.state import EscalationState
from domain.transition import Tx


def new_record(
    body: CreateEscalationInput, policy: Policy, *, escalation_id: str, at: datetime
) -> ComplaintRecord:
    """The record of a request the API checked (domain.complaint_codes)."""
    complaint, kind = body.complaint, body.complaint_kind
    assert complaint is not None
    assert kind is not None
    via = received_via(policy, body)
    assert via is not None
    reference = complaint.reference or (
        policy.complaints.reference_prefix + escalation_id.removeprefix("esc-").upper())
    record = ComplaintRecord(
        reference=reference, received_at=complaint.received_at or at,
        complainant=complaint.complainant, products=complaint.products,
        issues=complaint.issues, received_via=via,
        brand=complaint.brand or policy.complaints.brand,
        representative=complaint.representative,
        written_response_requested=complaint.written_response_requested,
    )
    return record.model_copy(update={"five_day_rule": five_day_rule(policy, kind, record)})


def five_day_rule(policy: Policy, kind: str, record: ComplaintRecord) -> FiveDayRule:
    """Whether the five-business-day rule can end this complaint (RG 271.71-.75)."""
    required = policy.complaints.written_response_required
    if not policy.complaint_kinds[kind].informal_resolution_business_days:
        return FiveDayRule.NOT_IN_KIND
    if kind in required.kinds:
        return FiveDayRule.EXCLUDED_KIND
    if set(record.issues) & set(required.issues):
        return FiveDayRule.EXCLUDED_ISSUE
    if record.written_response_requested:
        return FiveDayRule.WRITTEN_RESPONSE_REQUESTED
    return FiveDayRule.AVAILABLE


def _record(tx: Tx) -> ComplaintRecord:
    record = tx.state.complaint
    assert record is not None
    return record


def complainant(state: EscalationState) -> list[Recipient]:
    record = state.complaint
    if record is None:
        return []
    person = record.complainant
    return [Recipient(name=person.name, role="complainant", channel=person.contact.channel,
                      address=person.contact.address)]


def _local(state: EscalationState, at: datetime | None) -> str:
    if at is None:
        return "to be announced"
    local = at.astimezone(state.policy.calendar.zone())
    return f"{local.day} {local:%B %Y, %H:%M %Z}"


def message_values(state: EscalationState, **extra: str) -> dict[str, str]:
    """Placeholders of the complaint templates; dates in the calendar's time zone."""
    record = state.complaint
    assert record is not None
    return {
        "complaint_reference": record.reference,
        "received_at": _local(state, record.received_at),
        "complainant": record.complainant.name,
        "final_response_due": _local(state, state.deadlines.final_response_due),
        "afca": state.policy.complaints.afca,
        **extra,
    }


def _send(tx: Tx, event: NotificationEvent, template: str, subject: str, **extra: str) -> str:
    s = tx.state
    text = to.fill(template, s, **message_values(s, **extra))
    tx.notify(event, complainant(s), subject=f"{subject}: {s.title} ({_record(tx).reference})",
              message=text, audience=NotificationAudience.CUSTOMER)
    return text


def _outcome(at: datetime, due: datetime | None) -> SlaOutcome:
    return SlaOutcome.MET if due is None or at <= due else SlaOutcome.BREACHED


def acknowledge_complaint(tx: Tx, message: str | None, *, automatic: bool) -> None:
    s = tx.state
    record = _record(tx).model_copy(update={"acknowledged_at": tx.at,
                                            "acknowledged_automatically": automatic})
    s.complaint = record
    if s.sla.complaint_acknowledge is SlaOutcome.PENDING:
        # Late (a received_at long past, or a hand just ahead of the timer) is still a breach.
        s.sla.complaint_acknowledge = _outcome(tx.at, s.deadlines.complaint_acknowledge_due)
    template = message or s.policy.templates.complaint_acknowledgement
    tx.log(TimelineType.COMPLAINT_ACKNOWLEDGED,
           {"automatic": automatic, "reference": record.reference})
    _send(tx, NotificationEvent.COMPLAINT_ACKNOWLEDGEMENT, template, "We received your complaint")


def resolve_early(tx: Tx, command: ResolveEarlyInput) -> None:
    """Record the resolution; it ends the regulatory clock unless a written response is due."""
    s = tx.state
    record = _record(tx)
    rule = record.five_day_rule
    if command.written_response_requested and rule is FiveDayRule.AVAILABLE:
        rule = FiveDayRule.WRITTEN_RESPONSE_REQUESTED
    closes = rule is FiveDayRule.AVAILABLE
    resolution = EarlyResolution(at=tx.at, by=tx.actor, note=command.note,
                                 satisfied=command.satisfied, closes_clock=closes,
                                 rule=FiveDayRule.APPLIED if closes else rule)
    update: dict[str, object] = {
        "early_resolution": resolution,
        "written_response_requested": (record.written_response_requested
                                       or command.written_response_requested),
        "five_day_rule": resolution.rule,
    }
    if closes:
        update |= {"closed_at": tx.at, "closed_under": ClosedUnder.FIVE_DAY_RULE,
                   "outcome": command.outcome or s.policy.complaints.early_resolution_outcome}
        if s.sla.final_response is SlaOutcome.PENDING:
            s.sla.final_response = SlaOutcome.MET
    s.complaint = record.model_copy(update=update)
    tx.log(TimelineType.RESOLVED_EARLY,
           {"note": command.note, "closes_clock": closes, "rule": resolution.rule.value,
            "outcome": s.complaint.outcome})


def send_delay_notice(tx: Tx, reasons: str) -> None:
    record = _record(tx)
    tx.state.complaint = record.model_copy(update={"delay_notices": [
        *record.delay_notices, DelayNoticeSent(at=tx.at, by=tx.actor, reasons=reasons)]})
    tx.log(TimelineType.DELAY_NOTICE_SENT, {"reasons": reasons})
    _send(tx, NotificationEvent.DELAY_NOTICE, tx.state.policy.templates.delay_notice,
          "Delay in our response to your complaint", reasons=reasons)


def send_idr_response(
    tx: Tx, outcome: str, reasons: str, compensation: Decimal | None
) -> None:
    s = tx.state
    record = _record(tx)
    label = s.policy.complaints.code_tables["outcome"].codes[outcome]
    s.complaint = record.model_copy(update={
        "idr_response": IdrResponseSent(at=tx.at, by=tx.actor, outcome=outcome, reasons=reasons,
                                        compensation=compensation),
        "outcome": outcome, "compensation": compensation, "closed_at": tx.at,
        "closed_under": ClosedUnder.IDR_RESPONSE,
    })
    if s.sla.final_response is SlaOutcome.PENDING:
        late = _outcome(tx.at, s.deadlines.final_response_due) is SlaOutcome.BREACHED
        s.sla.final_response = (SlaOutcome.MET if not late else SlaOutcome.EXTENDED
                                if record.delay_notices else SlaOutcome.BREACHED)
    tx.log(TimelineType.IDR_RESPONSE_SENT, {"outcome": outcome, "reasons": reasons,
                                            "compensation": None if compensation is None
                                            else str(compensation)})
    _send(tx, NotificationEvent.IDR_RESPONSE, s.policy.templates.idr_response,
          "Our final response to your complaint", outcome=label, reasons=reasons)
