"""What each message says, who it can reach, and what happens when it reaches nobody."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain import lifecycle, timers
from domain.enums import Audience, SlaOutcome, TimelineType
from domain.errors import PolicyError, UnreachableAudience
from domain.lifecycle.sla import current_deadline
from domain.models import (
    AcknowledgeInput,
    CustomerAccessInput,
    InternalRcaInput,
    NoticeInput,
    ResolutionInput,
    StatusUpdateInput,
    VerificationInput,
)
from domain.policy import parse_policy
from domain.state import EscalationState
from domain.timers import TimerKind
from tests.unit.domain.test_lifecycle import ENG, IM, LEAD, T0, act, in_resolve, opened

SLACK = {"channel": "slack", "address": "https://hooks.slack.example/T1"}
EMAIL = {"channel": "email", "address": "ops@acme.example"}


def customer(cid: str, contact: dict[str, str] | None) -> dict[str, Any]:
    return {"id": cid, "name": cid.title(), "contact": contact}


def skipped(entries: list[Any]) -> list[dict[str, Any]]:
    return [e.details for e in entries if e.type is TimelineType.NOTIFICATION_SKIPPED]


def in_close() -> EscalationState:
    state = act(in_resolve(), AcknowledgeInput(actor=ENG))
    state = act(state, ResolutionInput(actor=IM, summary="Refunded the duplicate charge"))
    state = act(state, VerificationInput(actor=ENG, verified=True))
    state = act(state, CustomerAccessInput(actor=LEAD, confirmed=True))
    return lifecycle.records_closed(state, [], at=T0 + timedelta(minutes=5)).state


class TestUnreachableAudiences:
    @pytest.mark.parametrize(("body", "why"), [
        ({}, "has no affected customers"),
        ({"affected_customers": [customer("acme", None)]}, "Acme has no contact"),
        ({"affected_customers": [customer("acme", SLACK)]}, "Acme has only a slack contact"),
    ])
    def test_a_notice_to_customers_nobody_can_reach_is_refused(self, body: dict[str, Any],
                                                               why: str) -> None:
        command = NoticeInput(actor=IM, message="hi", audiences=[Audience.CUSTOMERS])
        with pytest.raises(UnreachableAudience, match=why) as refused:
            lifecycle.ensure_reachable(opened(**body), command)
        assert refused.value.audience == "customers"

    def test_internal_needs_a_stakeholder(self) -> None:
        command = StatusUpdateInput(actor=IM, message="x", audiences=[Audience.INTERNAL])
        with pytest.raises(UnreachableAudience, match="no internal stakeholders"):
            lifecycle.ensure_reachable(opened(), command)

    def test_one_reachable_customer_is_enough(self) -> None:
        state = opened(affected_customers=[customer("acme", SLACK), customer("globex", EMAIL)])
        lifecycle.ensure_reachable(state, NoticeInput(actor=IM, audiences=[Audience.CUSTOMERS]))

    def test_the_ones_left_out_are_recorded_with_why(self) -> None:
        state = opened(affected_customers=[customer("acme", SLACK), customer("globex", EMAIL)])
        transition = lifecycle.apply(
            state, NoticeInput(actor=IM, audiences=[Audience.CUSTOMERS]), at=T0)
        (entry,) = skipped(transition.entries)
        assert entry["unreached"][0]["name"] == "Acme"
        assert "private" in entry["unreached"][0]["reason"]
        assert [n.recipient.name for n in transition.notifications] == ["Globex"]


class TestTimerMessagesToNobody:
    def test_the_automatic_notice_to_nobody_is_skipped_and_the_sla_breached(self) -> None:
        state = opened()  # no stakeholders, no customers
        (notice,) = [t for t in timers.pending_timers(state) if t.kind is TimerKind.NOTICE]
        transition = timers.fire(state, notice, at=notice.due)
        reasons = [d["reason"] for d in skipped(transition.entries) if d["event"] == "notice"]
        assert any("no internal stakeholders" in r for r in reasons)
        assert any("no affected customers" in r for r in reasons)
        assert transition.state.sla.notice is SlaOutcome.BREACHED

    def test_a_skip_names_the_entry_that_caused_it(self) -> None:
        state = opened()
        (notice,) = [t for t in timers.pending_timers(state) if t.kind is TimerKind.NOTICE]
        transition = timers.fire(state, notice, at=notice.due)
        caused = {e.seq for e in transition.entries if e.type is TimelineType.NOTICE_SENT}
        assert {d["cause_seq"] for d in skipped(transition.entries)
                if d["event"] == "notice"} == caused


class TestRcaTaskMessage:
    def test_the_customer_rca_task_carries_the_internal_rca_and_its_due_time(self) -> None:
        transition = lifecycle.apply(in_close(), InternalRcaInput(
            actor=ENG, summary="A retry storm", root_cause="No idempotency key",
            corrective_actions=["Add the key", "Alert on retries"]), at=T0 + timedelta(hours=1))
        (task,) = [n for n in transition.notifications if n.event.value == "rca_task"]
        customer_rca = transition.state.rca_customer
        assert customer_rca is not None
        due = customer_rca.due_at.strftime("%Y-%m-%d %H:%M UTC")
        assert due in task.subject
        for fact in ("A retry storm", "No idempotency key", "- Add the key",
                     "- Alert on retries", due):
            assert fact in task.message

    def test_its_next_deadline_is_the_rca_not_the_old_resolve_deadline(self) -> None:
        state = lifecycle.apply(in_close(), InternalRcaInput(
            actor=ENG, summary="s", root_cause="r"), at=T0 + timedelta(hours=1)).state
        assert state.rca_customer is not None
        assert current_deadline(state) == ("customer RCA due", state.rca_customer.due_at)

    def test_the_internal_rca_task_carries_the_resolution(self) -> None:
        state = act(in_resolve(), AcknowledgeInput(actor=ENG))
        state = act(state, ResolutionInput(actor=IM, summary="Refunded the duplicate charge"))
        state = act(state, VerificationInput(actor=ENG, verified=True))
        state = act(state, CustomerAccessInput(actor=LEAD, confirmed=True))
        transition = lifecycle.records_closed(state, [], at=T0 + timedelta(minutes=5))
        (task,) = [n for n in transition.notifications if n.event.value == "rca_task"]
        assert "Refunded the duplicate charge" in task.message


class TestCurrentDeadline:
    def test_while_working_the_earliest_running_clock(self) -> None:
        state = opened(priority="P1")  # acknowledge within 15 minutes, notice within the hour
        assert current_deadline(state) == ("acknowledgement due", state.deadlines.acknowledge_due)

    def test_a_satisfied_clock_no_longer_counts(self) -> None:
        state = act(opened(priority="P1"), AcknowledgeInput(actor=ENG))
        assert current_deadline(state) == ("stakeholder notice due", state.deadlines.notice_due)

    def test_none_once_cancelled(self) -> None:
        state = opened().model_copy(update={"status": "cancelled"})
        assert current_deadline(state) is None


class TestStatusUpdateReminder:
    def test_names_the_next_due_time(self) -> None:
        state = act(opened(), NoticeInput(actor=IM, message="hi"))
        (cadence,) = [t for t in timers.pending_timers(state)
                      if t.kind is TimerKind.UPDATE_CADENCE]
        transition = timers.fire(state, cadence, at=cadence.due)
        due = transition.state.deadlines.next_update_due
        assert due is not None
        assert due.strftime("%Y-%m-%d %H:%M UTC") in transition.notifications[0].message


class TestTemplates:
    @pytest.mark.parametrize(("key", "text", "problem"), [
        ("status_update", "An update on {title}", "must contain {message}"),
        ("resolution", "{title} is resolved", "must contain {summary}"),
        ("rca_shared", "Our RCA of {title}", "must contain {summary}"),
        ("notice", "See {link}", "internal link"),
    ])
    def test_policy_check_refuses_a_template_that_loses_its_text(
        self, key: str, text: str, problem: str
    ) -> None:
        from config.policy_files import preset_text

        original = preset_text("default")
        start = original.index(f"\n{key} = ") + 1
        end = original.index('"""', original.index('"""', start) + 3) + 3
        edited = original[:start] + f'{key} = "{text}"' + original[end:]
        with pytest.raises(PolicyError, match=f"templates.{key}: .*{problem}"):
            parse_policy(edited)
