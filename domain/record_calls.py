"""The calls into related systems: each activity's input and answer, and the texts we leave
there (the console link at the start, the close note, the problem record).

Each text starts with a marker naming the escalation: an activity that finds its marker on the
record already posted it (before a crash, or on an attempt whose answer was lost), so it never
posts twice.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from domain.record_outcomes import CloseOutcome, LinkOutcome, RecordWork, RecordWorkKind
from domain.related_systems import ProblemRecords, RelatedSystem, find_system
from domain.state import EscalationState, LinkBases

SUMMARY_MAX = 250  # Jira's summary holds 255 characters, ServiceNow's short_description 160+


def console_link(links: LinkBases, escalation_id: str) -> str:
    """The escalation's page in the web console, from the bases it was created with."""
    return f"{links.api.rstrip('/')}/console/escalations/{escalation_id}"


class RecordFailure(StrEnum):
    """ApplicationError types of the record activities."""

    FAILED = "record_call_failed"  # retried until the system's retry_for runs out
    REFUSED = "record_call_refused"  # final: not found, bad credentials, a forbidden host


class Hosts(BaseModel):
    """The policy's host rules, which every outbound call obeys (notifications.allowed_hosts)."""

    allowed_hosts: list[str] = []
    block_private_addresses: bool = False


class RecordCall(BaseModel):
    """link_related_record and close_related_record: one record in one system."""

    system: RelatedSystem
    record: str  # as the escalation names it
    system_id: str  # its id in the system (PagerDuty incident, Jira key, ServiceNow number)
    escalation_id: str
    marker: str
    text: str  # the comment, work note or close note; starts with `marker`
    hosts: Hosts = Hosts()


class RecordAnswer(BaseModel):
    outcome: CloseOutcome | LinkOutcome
    answer: str | None = None  # what the system said, for the timeline


class ProblemCall(BaseModel):
    """open_problem_record: a problem record for the escalation's internal RCA."""

    system: RelatedSystem
    target: ProblemRecords
    escalation_id: str
    marker: str  # a Jira label / ServiceNow correlation_id that finds it again
    summary: str
    description: str
    hosts: Hosts = Hosts()


class ProblemAnswer(BaseModel):
    record: str  # its id there: "PRB-12", "PRB0040001"
    created: bool  # False: found from an earlier attempt


def hosts_of(state: EscalationState) -> Hosts:
    rules = state.policy.notifications
    return Hosts(allowed_hosts=rules.allowed_hosts,
                 block_private_addresses=rules.block_private_addresses)


def link_text(state: EscalationState) -> tuple[str, str]:
    """(marker, text) of the comment added when the escalation opens."""
    marker = f"Escalation {state.id} tracks this record"
    return marker, (f"{marker}: {state.title} ({state.priority.value}, team {state.team}).\n"
                    f"Console: {console_link(state.links, state.id)}")


def close_text(state: EscalationState) -> tuple[str, str]:
    """(marker, text) of the close note: the escalation, its resolution and the console link."""
    marker = f"Resolved in escalation {state.id}"
    return marker, (f"{marker}: {state.title}.\n"
                    f"Resolution: {state.resolution or 'none recorded'}\n"
                    f"Console: {console_link(state.links, state.id)}")


def problem_texts(state: EscalationState) -> tuple[str, str, str]:
    """(marker, summary, description) of the problem record opened after the internal RCA."""
    rca = state.rca_internal
    assert rca is not None, "a problem record follows the internal RCA"
    actions = "\n".join(f"- {action}" for action in rca.corrective_actions)
    summary = f"Problem: {state.title}"
    if len(summary) > SUMMARY_MAX:
        summary = summary[:SUMMARY_MAX - 1] + "…"
    description = (f"Root cause: {rca.root_cause or '-'}\n\nCorrective actions:\n{actions}\n\n"
                   f"RCA summary: {rca.summary or '-'}\n"
                   f"Escalation {state.id}: {console_link(state.links, state.id)}")
    return f"escalation-{state.id}", summary, description


def call_for(state: EscalationState, work: RecordWork) -> RecordCall | ProblemCall:
    """The activity input for one piece of record work, from the escalation as it is now."""
    system = find_system(work.system, state.policy.related_systems)
    assert system is not None, f"work for {work.system!r}, which the policy snapshot lacks"
    if work.kind is RecordWorkKind.PROBLEM:
        team = state.policy.team(state.team)
        assert team is not None
        assert team.problem_records is not None
        marker, summary, description = problem_texts(state)
        return ProblemCall(system=system, target=team.problem_records, escalation_id=state.id,
                           marker=marker, summary=summary, description=description,
                           hosts=hosts_of(state))
    system_id = system.system_id(work.record)
    assert system_id is not None, f"{work.record!r} is not {system.name}'s"
    marker, text = (link_text if work.kind is RecordWorkKind.LINK else close_text)(state)
    return RecordCall(system=system, record=work.record, system_id=system_id,
                      escalation_id=state.id, marker=marker, text=text, hosts=hosts_of(state))
