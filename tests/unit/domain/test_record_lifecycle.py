"""Related records in the lifecycle, without Temporal: what is asked of each system, and what
each answer records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain import lifecycle
from domain.enums import RcaStatus, Status, TimelineType
from domain.policy import Policy
from domain.record_calls import RecordCall, call_for, console_link
from domain.record_outcomes import CloseOutcome, LinkOutcome, RecordWorkKind
from domain.state import EscalationState
from tests.unit.domain.test_lifecycle import POLICY, T0, opened
from tests.unit.domain.test_related_systems import EVERY_KIND

RECORDS = ["PD-P1ABC23", "TRK-9", "INC0010001", "OPS-7", "CASE-12345-X"]


def with_systems(problem: dict[str, str] | None = None) -> Policy:
    raw: dict[str, Any] = POLICY.model_dump(mode="json")
    raw["related_systems"] = EVERY_KIND
    if problem is not None:
        raw["teams"]["billing"]["problem_records"] = problem
    return Policy.model_validate(raw)


def in_close(*, rca_required: bool = True, problem: dict[str, str] | None = None
             ) -> EscalationState:
    state = opened(related_records=RECORDS).model_copy(update={
        "policy": with_systems(problem), "rca_required": rca_required,
        "resolution": "refunded twice-charged customers"})
    return state.model_copy(update={"stage": "close"})


def test_links_are_asked_of_each_record_a_system_owns() -> None:
    state = lifecycle.request_links(in_close(), at=T0).state

    assert [(w.kind, w.record) for w in state.record_work] == [
        (RecordWorkKind.LINK, r) for r in RECORDS[:4]]
    assert {link.outcome for link in state.record_links} == {LinkOutcome.PENDING}


def test_entering_close_asks_each_system_and_keeps_the_rest() -> None:
    transition = lifecycle.enter_close(in_close(), at=T0)
    state = transition.state

    assert [(o.record, o.system, o.outcome) for o in state.record_outcomes] == [
        ("PD-P1ABC23", "pagerduty", CloseOutcome.PENDING),
        ("TRK-9", "tracker", CloseOutcome.PENDING),
        ("INC0010001", "servicenow", CloseOutcome.PENDING),
        ("OPS-7", "jira", CloseOutcome.PENDING),
        ("CASE-12345-X", None, CloseOutcome.KEPT),
    ]
    assert [w.record for w in state.record_work] == RECORDS[:4]
    # The kept record's entry now, and the RCA at once: no system holds the escalation up.
    assert [e.type for e in transition.entries] == [TimelineType.RELATED_RECORD_OUTCOME,
                                                    TimelineType.RCA_REQUESTED]


def test_without_rca_the_escalation_closes_while_records_are_pending() -> None:
    state = lifecycle.enter_close(in_close(rca_required=False), at=T0).state

    assert state.status is Status.CLOSED
    assert len(state.record_work) == 4


def test_each_answer_is_an_entry_and_the_last_one_the_summary() -> None:
    state = lifecycle.enter_close(in_close(), at=T0).state
    answers = {"PD-P1ABC23": ("closed", None), "TRK-9": ("already_closed", "409"),
               "INC0010001": ("failed", "servicenow answered 503"), "OPS-7": ("closed", None)}
    entries = []
    for n, work in enumerate(list(state.record_work)):
        outcome, answer = answers[work.record]
        transition = lifecycle.work_done(state, work, outcome=outcome, answer=answer,
                                         at=T0 + timedelta(seconds=n))
        state, entries = transition.state, entries + transition.entries

    assert [e.type for e in entries] == [TimelineType.RELATED_RECORD_OUTCOME] * 4 + [
        TimelineType.RELATED_RECORDS_CLOSED]
    assert entries[2].details == {"record": "INC0010001", "system": "servicenow",
                                  "outcome": "failed", "answer": "servicenow answered 503"}
    assert entries[-1].details == {
        "records": RECORDS, "closed": ["PD-P1ABC23", "OPS-7"], "already_closed": ["TRK-9"],
        "kept": ["CASE-12345-X"], "failed": ["INC0010001"]}
    assert state.record_work == []
    view = state.to_view([])
    assert [o.outcome.value for o in view.record_outcomes] == [
        "closed", "already_closed", "failed", "closed", "kept"]


def test_a_problem_record_follows_an_rca_with_actions_when_the_team_names_a_system() -> None:
    state = lifecycle.enter_close(in_close(problem={"system": "jira", "project": "PRB"}),
                                  at=T0).state
    assert state.rca_internal is not None
    rca = state.rca_internal.model_copy(update={
        "status": RcaStatus.SUBMITTED, "root_cause": "no idempotency key",
        "corrective_actions": ["add keys"]})
    without = state.model_copy(update={"rca_internal": rca.model_copy(
        update={"corrective_actions": []})})
    state = state.model_copy(update={"rca_internal": rca, "record_work": []})

    asked = lifecycle.request_problem_record(state, at=T0).state
    [work] = asked.record_work
    opened_ = lifecycle.work_done(asked, work, outcome="opened", answer=None, record="PRB-1",
                                  at=T0)

    assert work.kind is RecordWorkKind.PROBLEM
    assert opened_.state.problem_records == ["PRB-1"]
    assert opened_.entries[0].details == {"record": "PRB-1", "system": "jira"}
    assert lifecycle.request_problem_record(
        without.model_copy(update={"record_work": []}), at=T0).state.record_work == []


def test_the_close_call_carries_the_note_with_resolution_and_console_link() -> None:
    state = lifecycle.enter_close(in_close(), at=T0).state
    work = next(w for w in state.record_work if w.record == "OPS-7")

    call = call_for(state, work)

    assert isinstance(call, RecordCall)
    assert call.system_id == "OPS-7"
    assert call.text.startswith(call.marker)
    assert "refunded twice-charged customers" in call.text
    assert console_link(state.links, state.id) in call.text
    assert call.hosts.allowed_hosts == state.policy.notifications.allowed_hosts


def test_links_are_asked_once_per_record_as_records_are_added() -> None:
    state = lifecycle.request_links(in_close(), at=T0).state
    state = state.model_copy(update={"related_records": [*state.related_records, "OPS-8"]})

    again = lifecycle.request_links(state, at=T0).state

    assert [w.record for w in again.record_work] == [*RECORDS[:4], "OPS-8"]
