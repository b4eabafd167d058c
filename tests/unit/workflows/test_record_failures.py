"""What a record's `failed` outcome says: the system's last answer, and whether its retry_for
ran out (rather than a final refusal)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    RetryState,
    TimeoutError,
    TimeoutType,
)

from workflows.records import failure_text

ANSWER = "jira answered 503 to GET issue OPS-7"


def activity_error(retry_state: RetryState, cause: BaseException) -> ActivityError:
    error = ActivityError("activity error", scheduled_event_id=5, started_event_id=6,
                          identity="worker", activity_type="close_related_record",
                          activity_id="14", retry_state=retry_state)
    error.__cause__ = cause
    return error


def timed_out_during_backoff() -> TimeoutError:
    timeout = TimeoutError("activity ScheduleToClose timeout",
                           type=TimeoutType.SCHEDULE_TO_CLOSE, last_heartbeat_details=[])
    timeout.__cause__ = ApplicationError(ANSWER, type="record_call_failed")
    return timeout


@pytest.mark.parametrize(("error", "expected"), [
    (activity_error(RetryState.NON_RETRYABLE_FAILURE,
                    ApplicationError("jira: no incident", type="record_call_refused")),
     "jira: no incident"),
    (activity_error(RetryState.TIMEOUT, ApplicationError(ANSWER, type="record_call_failed")),
     f"gave up after PT1H: {ANSWER}"),
    (activity_error(RetryState.TIMEOUT, timed_out_during_backoff()),
     f"gave up after PT1H: {ANSWER}"),
])
def test_the_outcome_quotes_the_last_answer(error: ActivityError, expected: str) -> None:
    assert failure_text(error, timedelta(hours=1)) == expected
