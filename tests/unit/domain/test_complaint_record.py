"""The complaint record's decisions without Temporal: which rule applies, what each action
records, and when the actions are refused (table-driven where it reads better)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.policy_files import preset_text
from domain import lifecycle, timers
from domain.complaint_record import ClosedUnder, FiveDayRule
from domain.enums import Action, Role, SlaOutcome
from domain.errors import ActionNotAllowed, InvalidInput
from domain.lifecycle.complaints import five_day_rule
from domain.models import (
    ActionInput,
    ActionPlanInput,
    Actor,
    CreateEscalationInput,
    CustomerAccessInput,
    DelayNoticeInput,
    IdrResponseInput,
    NoticeInput,
    ResolutionInput,
    ResolveEarlyInput,
    VerificationInput,
)
from domain.policy import Policy, parse_policy
from domain.routing import route
from domain.state import EscalationRequest, EscalationState
from domain.timer_kinds import TimerKind

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # Monday 11:00 in Sydney
IM = Actor(name="alice", role=Role.INCIDENT_MANAGER)
ENG = Actor(name="bob", role=Role.ENGINEER)
LEAD = Actor(name="sam", role=Role.ENGAGEMENT_LEAD)
POLICY = parse_policy(preset_text("rg271"))
JO = {"name": "Jo", "contact": {"channel": "email", "address": "jo@example.com"}}


def complaint(kind: str = "standard", **record: Any) -> EscalationState:
    body = {"title": "Fee charged twice", "category": "question", "priority": "P4",
            "channel": "email", "complaint_kind": kind,
            "complaint": {"complainant": JO, "products": ["credit_card"],
                          "issues": ["fees_charges"], **record}}
    request = CreateEscalationInput.model_validate(body)
    decision = route(POLICY, request)
    payload = EscalationRequest(id="esc-01abc", request=request, routing=decision,
                                policy=POLICY.snapshot(), created_by="alice", request_id="r",
                                request_hash="h")
    return lifecycle.intake(payload, decision, T0).state


def act(state: EscalationState, command: ActionInput, after: timedelta = timedelta(hours=1)
        ) -> EscalationState:
    at = T0 + after
    lifecycle.ensure_allowed(state, lifecycle.ACTION_OF[type(command)], command, at)
    return lifecycle.apply(state, command, at=at).state


@pytest.mark.parametrize(("kind", "record", "rule"), [
    ("standard", {}, FiveDayRule.AVAILABLE),
    ("credit_default_or_hardship", {}, FiveDayRule.NOT_IN_KIND),
    ("standard", {"issues": ["claim_denied"]}, FiveDayRule.EXCLUDED_ISSUE),
    ("standard", {"written_response_requested": True}, FiveDayRule.WRITTEN_RESPONSE_REQUESTED),
])
def test_the_record_says_whether_the_five_day_rule_can_end_it(
    kind: str, record: dict[str, Any], rule: FiveDayRule
) -> None:
    state = complaint(kind, **record)
    assert state.complaint is not None
    assert state.complaint.five_day_rule is rule
    assert (state.deadlines.early_resolution_due is not None) is (rule is FiveDayRule.AVAILABLE)


def test_a_listed_kind_is_excluded_even_with_business_days() -> None:
    raw = POLICY.model_dump(mode="json")
    raw["complaint_kinds"]["credit_default_or_hardship"]["informal_resolution_business_days"] = 5
    policy = Policy.model_validate(raw)
    record = complaint().complaint
    assert record is not None
    assert five_day_rule(policy, "credit_default_or_hardship", record) is (
        FiveDayRule.EXCLUDED_KIND)


def test_the_reference_comes_from_the_escalation_unless_given() -> None:
    assert complaint().complaint.reference == "CMP-01ABC"  # type: ignore[union-attr]
    assert complaint(reference="C-77").complaint.reference == "C-77"  # type: ignore[union-attr]


def test_clocks_count_from_received_at_not_from_creation() -> None:
    received = T0 - timedelta(hours=20)
    state = complaint(received_at=received.isoformat())
    assert state.deadlines.complaint_acknowledge_due == received + timedelta(hours=24)
    assert state.deadlines.notice_due == T0 + timedelta(hours=1)  # the SLA counts from now


def test_a_requested_written_response_keeps_the_clock_running() -> None:
    state = act(complaint(), ResolveEarlyInput(actor=IM, note="refunded", satisfied=True,
                                               written_response_requested=True))
    assert state.complaint is not None
    assert state.complaint.early_resolution is not None
    assert not state.complaint.early_resolution.closes_clock
    assert state.complaint.five_day_rule is FiveDayRule.WRITTEN_RESPONSE_REQUESTED
    assert not state.complaint.is_closed
    assert state.sla.final_response is SlaOutcome.PENDING
    assert TimerKind.FINAL_RESPONSE in {t.kind for t in timers.pending_timers(state)}


def test_resolving_early_needs_the_complainants_satisfaction() -> None:
    with pytest.raises(InvalidInput) as refused:
        act(complaint(), ResolveEarlyInput(actor=IM, note="we tried", satisfied=False))
    assert [p.field for p in refused.value.problems] == ["satisfied"]


def test_an_outcome_outside_the_table_is_refused_by_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        act(complaint(), IdrResponseInput(actor=IM, outcome="maybe", reasons="r"))
    assert [p.field for p in refused.value.problems] == ["outcome"]


def test_the_idr_response_closes_the_complaint_with_its_outcome() -> None:
    state = act(complaint(), IdrResponseInput(actor=LEAD, outcome="resolved_partially",
                                              reasons="half of it was ours", compensation="50"))
    record = state.complaint
    assert record is not None
    assert (record.closed_under, record.outcome, str(record.compensation)) == (
        ClosedUnder.IDR_RESPONSE, "resolved_partially", "50")
    assert state.sla.final_response is SlaOutcome.MET
    assert not [t for t in timers.pending_timers(state) if t.kind.regulatory]
    with pytest.raises(ActionNotAllowed, match="is closed"):
        act(state, DelayNoticeInput(actor=LEAD, reasons="late"))


def test_a_delay_notice_after_the_deadline_is_refused() -> None:
    state = complaint()
    with pytest.raises(ActionNotAllowed, match="before the final-response deadline"):
        act(state, DelayNoticeInput(actor=LEAD, reasons="late"), after=timedelta(days=31))


def _confirmed(state: EscalationState) -> EscalationState:
    for command in (NoticeInput(actor=IM, message="hi"),
                    ActionPlanInput(actor=IM, steps=[{"description": "refund"}]),
                    ResolutionInput(actor=IM, summary="refunded"),
                    VerificationInput(actor=ENG, verified=True)):
        state = act(state, command)
    return state


def test_a_complaint_closes_only_after_its_idr_response() -> None:
    state = _confirmed(complaint())
    with pytest.raises(ActionNotAllowed, match="no IDR response yet"):
        act(state, CustomerAccessInput(actor=LEAD, confirmed=True))
    state = act(state, IdrResponseInput(actor=LEAD, outcome="resolved_in_favour_of_complainant",
                                        reasons="refunded"))
    assert act(state, CustomerAccessInput(actor=LEAD, confirmed=True)).stage.value == "close"


def test_complaint_actions_are_never_offered_without_a_record() -> None:
    request = CreateEscalationInput.model_validate({"title": "t", "category": "question"})
    decision = route(POLICY, request)
    state = lifecycle.intake(EscalationRequest(
        id="esc-x", request=request, routing=decision, policy=POLICY.snapshot(),
        created_by="a", request_id="r", request_hash="h"), decision, T0).state
    offered = set(lifecycle.allowed_actions(state))
    assert not offered & {Action.ACKNOWLEDGE_COMPLAINT, Action.RESOLVE_EARLY,
                          Action.SEND_DELAY_NOTICE, Action.SEND_IDR_RESPONSE}


def test_every_complaint_clock_is_regulatory() -> None:
    kinds = {t.kind for t in timers.pending_timers(complaint())}
    assert {TimerKind.COMPLAINT_ACKNOWLEDGEMENT, TimerKind.COMPLAINT_ACKNOWLEDGEMENT_AUTO,
            TimerKind.EARLY_RESOLUTION_WINDOW, TimerKind.FINAL_RESPONSE_WARNING,
            TimerKind.FINAL_RESPONSE} <= kinds
    assert all(k.regulatory for k in kinds if k.value.startswith(("complaint", "final",
                                                                   "early")))
    assert not TimerKind.RESOLVE_DEADLINE.regulatory


def test_an_acknowledgement_after_its_deadline_is_a_breach() -> None:
    received = T0 - timedelta(hours=30)  # told of it a day late: the clock had run out
    state = complaint(received_at=received.isoformat())
    due = [t for t in timers.pending_timers(state)
           if t.kind is TimerKind.COMPLAINT_ACKNOWLEDGEMENT_AUTO]
    state = timers.fire(state, due[0], at=T0).state
    assert state.complaint is not None
    assert state.complaint.acknowledged_automatically
    assert state.sla.complaint_acknowledge is SlaOutcome.BREACHED
