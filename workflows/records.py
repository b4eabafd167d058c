"""Record work as activities: one call into a related system per record and purpose, retried
for the system's retry_for, and what the workflow records when it ends. Sandbox-safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState, TimeoutError

with workflow.unsafe.imports_passed_through():
    from activities.records.activities import RecordActivities
    from domain.calendar import iso_duration
    from domain.lifecycle.records import FAILED
    from domain.record_calls import ProblemCall, RecordCall, RecordFailure, call_for
    from domain.record_outcomes import RecordWork, RecordWorkKind
    from domain.related_systems import find_system
    from domain.state import EscalationState

# An attempt makes up to five requests of at most 10 s each (look up, check, note, close),
# and heartbeats before each: a worker killed mid-call is noticed after the heartbeat timeout.
RECORD_ATTEMPT_TIMEOUT = timedelta(seconds=60)
RECORD_HEARTBEAT_TIMEOUT = timedelta(seconds=15)
# Like deliveries (api.md): 1 s doubling to 5 min; a system's Retry-After overrides the wait.
RECORD_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=[RecordFailure.REFUSED.value],
)


@dataclass(frozen=True)
class Done:
    outcome: str  # the activity's outcome, or FAILED
    answer: str | None = None
    record: str | None = None  # a problem record's id


async def run(state: EscalationState, work: RecordWork) -> Done:
    """Run the work's activity until it answers, is refused or its retry_for runs out."""
    call = call_for(state, work)
    system = find_system(work.system, state.policy.related_systems)
    assert system is not None  # call_for checked it
    retry_for = system.retry_for
    try:
        match call:
            case ProblemCall():
                problem = await workflow.execute_activity_method(
                    RecordActivities.open_problem_record, call,
                    **_options(retry_for, f"open a problem record in {system.name}"))
                return Done(outcome="opened", record=problem.record)
            case RecordCall() if work.kind is RecordWorkKind.LINK:
                answer = await workflow.execute_activity_method(
                    RecordActivities.link_related_record, call,
                    **_options(retry_for, f"link {work.record} in {system.name} to the "
                                          "escalation"))
            case RecordCall():
                answer = await workflow.execute_activity_method(
                    RecordActivities.close_related_record, call,
                    **_options(retry_for, f"close {work.record} in {system.name}"))
    except ActivityError as error:
        return Done(outcome=FAILED, answer=failure_text(error, retry_for))
    return Done(outcome=answer.outcome.value, answer=answer.answer)


def _options(retry_for: timedelta, summary: str) -> dict[str, Any]:
    return {"schedule_to_close_timeout": retry_for,
            "start_to_close_timeout": RECORD_ATTEMPT_TIMEOUT,
            "heartbeat_timeout": RECORD_HEARTBEAT_TIMEOUT, "retry_policy": RECORD_RETRY,
            "summary": summary}


def failure_text(error: ActivityError, retry_for: timedelta) -> str:
    """The system's last answer, and whether retry_for ran out (rather than a final refusal):
    the server ends the retries either when the next backoff would not fit (the last failure
    is the cause) or when the timeout fires during one (a timeout caused by the last failure)."""
    cause = error.__cause__
    timed_out = error.retry_state is RetryState.TIMEOUT
    while cause is not None:
        if isinstance(cause, ApplicationError):
            prefix = f"gave up after {iso_duration(retry_for)}: " if timed_out else ""
            return prefix + cause.message
        if isinstance(cause, TimeoutError):
            timed_out = True
        cause = cause.__cause__
    return str(error.__cause__ or error)
