"""Failures from Temporal and the store, mapped once to problems (STYLE rule 11).

A rejected or failed update reaches us as WorkflowUpdateFailedError whose cause is an
ApplicationError typed by domain.errors; its details carry the 409/412 members.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from api.problems import (
    FieldError,
    Problem,
    action_not_allowed,
    forbidden,
    internal_error,
    unavailable,
    unprocessable,
    version_conflict,
)
from api.resources import StoreUnavailable
from api.temporal import TemporalUnavailable
from domain.errors import (
    ActionNotAllowed,
    HandingOver,
    InvalidAction,
    RoleNotAllowed,
    VersionConflict,
)
from domain.models import EscalationView

log = logging.getLogger("api.failures")


def _details(error: ApplicationError) -> Mapping[str, Any]:
    first = error.details[0] if error.details else None
    return first if isinstance(first, Mapping) else {}


def from_update_failure(failure: WorkflowUpdateFailedError) -> Problem:
    cause = failure.cause
    if not isinstance(cause, ApplicationError):
        log.error("update failed without an application error: %r", cause)
        return internal_error()
    details = _details(cause)
    match cause.type:
        case ActionNotAllowed.type:
            return action_not_allowed(
                cause.message,
                stage=str(details.get("stage", "")),
                allowed_actions=[str(a) for a in details.get("allowed_actions", [])],
            )
        case VersionConflict.type:
            current = details.get("current_version")
            return version_conflict(cause.message,
                                    current_version=current if isinstance(current, int) else None)
        case RoleNotAllowed.type:
            return forbidden(cause.message)
        case InvalidAction.type:
            return unprocessable([FieldError(field="body", message=cause.message)], cause.message)
        case HandingOver.type:
            # Rare (a very long escalation continuing as new): the next try reaches the new run.
            return unavailable("The escalation is handing over to a new run; retry in a second.")
        case _:
            log.error("update failed with unmapped type %r: %s", cause.type, cause.message)
            return internal_error()


def closed(view: EscalationView) -> Problem:
    """An action on an escalation whose workflow has completed: nothing is allowed any more."""
    return action_not_allowed(
        f"The escalation's workflow is no longer running (status {view.status.value}); "
        "no action is allowed.",
        stage=view.stage.value,
        allowed_actions=[],
    )


async def _on_temporal_unavailable(_: Request, exc: Exception) -> JSONResponse:
    log.warning("Temporal unavailable: %s (%r)", exc, exc.__cause__)
    return unavailable(
        "Temporal, or a worker for escalations, did not answer in time; retry shortly."
    ).response()


async def _on_store_unavailable(_: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable: %s (%r)", exc, exc.__cause__)
    return unavailable("The database did not answer; retry shortly.").response()


def install(app: FastAPI) -> None:
    app.add_exception_handler(TemporalUnavailable, _on_temporal_unavailable)
    app.add_exception_handler(StoreUnavailable, _on_store_unavailable)
