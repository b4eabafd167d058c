"""When a complaint's actions are allowed, and their codes checked against the snapshot.

A precondition that fails returns the 409's reason; `None` means the action may go ahead.
"""

from __future__ import annotations

from datetime import datetime

from domain.complaint_codes import code_problem
from domain.complaint_record import FiveDayRule
from domain.enums import Action, SlaOutcome
from domain.errors import FieldProblem
from domain.models import ActionInput, IdrResponseInput, ResolveEarlyInput
from domain.state import EscalationState

COMPLAINT_ACTIONS = frozenset({
    Action.ACKNOWLEDGE_COMPLAINT, Action.RESOLVE_EARLY, Action.SEND_DELAY_NOTICE,
    Action.SEND_IDR_RESPONSE,
})


def complaint_precondition(
    state: EscalationState, action: Action, now: datetime | None
) -> str | None:
    record, due = state.complaint, state.deadlines
    if record is None:
        return "the escalation has no complaint record"
    if record.is_closed:
        return f"complaint {record.reference} is closed ({record.closed_under})"
    match action:
        case Action.ACKNOWLEDGE_COMPLAINT if record.acknowledged_at is not None:
            return f"complaint {record.reference} was acknowledged already"
        case Action.RESOLVE_EARLY:
            window = due.early_resolution_due
            if record.early_resolution is not None:
                return "the complaint was resolved early already"
            if record.five_day_rule is FiveDayRule.NOT_IN_KIND or window is None:
                return "the five-business-day rule does not apply to this complaint kind"
            if record.five_day_rule is FiveDayRule.WINDOW_CLOSED or (
                    now is not None and now > window):
                return (f"the five-business-day window closed at {window.isoformat()}: "
                        "send the IDR response")
        case Action.SEND_DELAY_NOTICE:
            final = due.final_response_due
            passed = (now is not None and final is not None and now >= final) or (
                state.sla.final_response not in (None, SlaOutcome.PENDING))
            if final is not None and passed:
                return (f"a delay notice goes out before the final-response deadline "
                        f"({final.isoformat()}), which has passed")
    return None


def input_problems(state: EscalationState, command: ActionInput) -> list[FieldProblem]:
    """Codes of a complaint action that the escalation's policy snapshot does not know."""
    policy = state.policy
    if isinstance(command, IdrResponseInput):
        found = code_problem(policy, "outcome", command.outcome, "outcome")
        return [found] if found else []
    if isinstance(command, ResolveEarlyInput):
        problems = []
        if not command.satisfied:
            problems.append(FieldProblem(field="satisfied", message=(
                "the five-day rule needs the complainant's satisfaction; otherwise send the "
                "IDR response")))
        outcome = command.outcome or policy.complaints.early_resolution_outcome
        if outcome is None:
            problems.append(FieldProblem(field="outcome", message=(
                "required: the policy sets no complaints.early_resolution_outcome")))
        elif (found := code_problem(policy, "outcome", outcome, "outcome")) is not None:
            problems.append(found)
        return problems
    return []
