"""Failed updates map to problems by their ApplicationError type, details included."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from api.http.errors import problem_for
from api.http.problems import Problem
from api.services.failures import update_failure


def from_update_failure(failure: WorkflowUpdateFailedError) -> Problem:
    """The answer a failed update gets: typed by the service layer, mapped by the HTTP layer."""
    return problem_for(update_failure(failure))


def failed(kind: str, *details: Any) -> WorkflowUpdateFailedError:
    return WorkflowUpdateFailedError(ApplicationError("why", *details, type=kind))


def test_action_not_allowed_is_409_with_stage_and_allowed_actions() -> None:
    problem = from_update_failure(failed(
        "action_not_allowed", {"stage": "resolve", "allowed_actions": ["cancel", "escalate"]}))
    assert problem.status == 409
    assert problem.members == {"stage": "resolve", "allowed_actions": ["cancel", "escalate"]}


def test_version_conflict_is_412_with_the_current_version() -> None:
    problem = from_update_failure(failed("version_conflict", {"current_version": 8}))
    assert (problem.status, problem.members) == (412, {"current_version": 8})
    assert problem.headers["ETag"] == '"8"'


@pytest.mark.parametrize(("kind", "status"), [
    ("role_not_allowed", 403), ("invalid_action", 422), ("something_new", 500),
])
def test_other_types(kind: str, status: int) -> None:
    problem = from_update_failure(failed(kind))
    assert problem.status == status
    if status == 500:
        assert problem.detail is not None
        assert "why" not in problem.detail  # internal messages stay inside


def test_a_cause_that_is_not_an_application_error_is_500() -> None:
    assert from_update_failure(WorkflowUpdateFailedError(RuntimeError("boom"))).status == 500


def test_details_missing_or_malformed_still_map() -> None:
    problem = from_update_failure(failed("action_not_allowed", "not a mapping"))
    assert (problem.status, problem.members) == (409, {"stage": "", "allowed_actions": []})
