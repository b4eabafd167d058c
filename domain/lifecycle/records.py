"""Related records in their own systems: linked at the start, closed at the close stage, and a
problem record after the internal RCA. Each call is work the workflow runs as an activity; its
answer comes back here as an outcome and a timeline entry. A call never holds up the escalation:
the RCA is requested (or the escalation closed) as the close stage opens, and outcomes arrive as
their systems answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.enums import TimelineType
from domain.lifecycle.closing import request_rca_or_close
from domain.record_outcomes import (
    CloseOutcome,
    LinkOutcome,
    RecordLink,
    RecordOutcome,
    RecordWork,
    RecordWorkKind,
)
from domain.related_systems import find_system, system_for
from domain.state import EscalationState
from domain.transition import Transition, Tx

NO_SYSTEM = "no [[related_systems]] entry owns this id"
FAILED = "failed"  # the outcome `work_done` gets when the activity gave up


def request_links(state: EscalationState, *, at: datetime) -> Transition:
    """After intake (and after details add records): a comment with the console link on each
    record of a known system that has none asked yet."""
    tx = Tx(state, at, "system")
    s = tx.state
    asked = {link.record for link in s.record_links}
    for record in dict.fromkeys(s.related_records):
        found = system_for(record, s.policy.related_systems)
        if found is None or not found[0].link_at_start or record in asked:
            continue
        name = found[0].name
        s.record_links = [*s.record_links, RecordLink(record=record, system=name,
                                                      outcome=LinkOutcome.PENDING)]
        s.record_work = [*s.record_work, RecordWork(kind=RecordWorkKind.LINK, system=name,
                                                    record=record)]
    return tx.done()


def enter_close(state: EscalationState, *, at: datetime) -> Transition:
    """Close-stage entry: a close per record of a known system (the rest are `kept`), then the
    RCA task or the end, without waiting for the systems."""
    tx = Tx(state, at, "system")
    s = tx.state
    s.related_records_closed = True
    for record in dict.fromkeys(s.related_records):
        found = system_for(record, s.policy.related_systems)
        if found is None:
            outcome = RecordOutcome(record=record, outcome=CloseOutcome.KEPT, answer=NO_SYSTEM,
                                    at=at)
            s.record_outcomes = [*s.record_outcomes, outcome]
            tx.log(TimelineType.RELATED_RECORD_OUTCOME, _details(outcome))
            continue
        name = found[0].name
        s.record_outcomes = [*s.record_outcomes, RecordOutcome(
            record=record, system=name, outcome=CloseOutcome.PENDING)]
        s.record_work = [*s.record_work, RecordWork(kind=RecordWorkKind.CLOSE, system=name,
                                                    record=record)]
    _summary_once_all_known(tx)
    request_rca_or_close(tx)
    return tx.done()


def request_problem_record(state: EscalationState, *, at: datetime) -> Transition:
    """After the internal RCA: a problem record when it has corrective actions and the team's
    policy names a problem system."""
    tx = Tx(state, at, "system")
    s = tx.state
    team = s.policy.team(s.team)
    target = team.problem_records if team is not None else None
    rca = s.rca_internal
    if (target is not None and rca is not None and rca.corrective_actions
            and find_system(target.system, s.policy.related_systems) is not None):
        s.record_work = [*s.record_work, RecordWork(kind=RecordWorkKind.PROBLEM,
                                                    system=target.system)]
    return tx.done()


def work_done(state: EscalationState, work: RecordWork, *, outcome: str, answer: str | None,
              at: datetime, record: str | None = None) -> Transition:
    """Record what one call achieved: `outcome` is the activity's (or FAILED with its last
    error as `answer`); `record` is the id of a problem record it opened."""
    tx = Tx(state, at, "system")
    s = tx.state
    s.record_work = [w for w in s.record_work if w.key != work.key]
    match work.kind:
        case RecordWorkKind.LINK:
            link = RecordLink(record=work.record, system=work.system,
                              outcome=LinkOutcome(outcome), answer=answer, at=at)
            s.record_links = [link if _same(x, work) else x for x in s.record_links]
            tx.log(TimelineType.RELATED_RECORD_LINKED, _details(link))
        case RecordWorkKind.CLOSE:
            closed = RecordOutcome(record=work.record, system=work.system,
                                   outcome=CloseOutcome(outcome), answer=answer, at=at)
            s.record_outcomes = [closed if _same(x, work) else x for x in s.record_outcomes]
            tx.log(TimelineType.RELATED_RECORD_OUTCOME, _details(closed))
            _summary_once_all_known(tx)
        case RecordWorkKind.PROBLEM:
            if record is not None:
                if record not in s.problem_records:
                    s.problem_records = [*s.problem_records, record]
                tx.log(TimelineType.PROBLEM_RECORD_OPENED,
                       {"record": record, "system": work.system})
            else:
                tx.log(TimelineType.PROBLEM_RECORD_FAILED,
                       {"system": work.system, "answer": answer})
    return tx.done()


def _same(entry: RecordLink | RecordOutcome, work: RecordWork) -> bool:
    return entry.record == work.record and entry.system == work.system


def _details(entry: RecordLink | RecordOutcome) -> dict[str, Any]:
    return entry.model_dump(mode="json", exclude={"at"})


def _summary_once_all_known(tx: Tx) -> None:
    """The close stage's summary entry, once no record's outcome is pending any more."""
    outcomes = tx.state.record_outcomes
    if any(o.outcome is CloseOutcome.PENDING for o in outcomes):
        return
    details: dict[str, Any] = {"records": list(tx.state.related_records)}
    for kind in (CloseOutcome.CLOSED, CloseOutcome.ALREADY_CLOSED, CloseOutcome.KEPT,
                 CloseOutcome.FAILED):
        details[kind.value] = [o.record for o in outcomes if o.outcome is kind]
    tx.log(TimelineType.RELATED_RECORDS_CLOSED, details)
