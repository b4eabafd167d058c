"""Failed workflow updates turned back into the domain's typed errors (STYLE rule 11).

A rejected or failed update reaches the caller as WorkflowUpdateFailedError whose cause is the
ApplicationError the workflow raised from a domain error: its `type` names the class and its
details carry the members (stage and allowed actions, the current version).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.errors import (
    ActionNotAllowed,
    DomainError,
    FieldProblem,
    HandingOver,
    InvalidAction,
    InvalidInput,
    RoleNotAllowed,
    UnexpectedFailure,
    UnreachableAudience,
    VersionConflict,
)
from domain.models import EscalationView

log = logging.getLogger("api.failures")


def _details(error: ApplicationError) -> Mapping[str, Any]:
    first = error.details[0] if error.details else None
    return first if isinstance(first, Mapping) else {}


def update_failure(failure: WorkflowUpdateFailedError) -> DomainError:
    cause = failure.cause
    if not isinstance(cause, ApplicationError):
        log.error("update failed without an application error: %r", cause)
        return UnexpectedFailure(repr(cause))
    details = _details(cause)
    match cause.type:
        case ActionNotAllowed.type:
            return ActionNotAllowed(
                cause.message,
                stage=str(details.get("stage", "")),
                allowed_actions=[str(a) for a in details.get("allowed_actions", [])],
            )
        case VersionConflict.type:
            current = details.get("current_version")
            return VersionConflict(cause.message,
                                   current_version=current if isinstance(current, int) else None)
        case RoleNotAllowed.type:
            return RoleNotAllowed(cause.message)
        case InvalidAction.type:
            return InvalidAction(cause.message)
        case InvalidInput.type:
            return InvalidInput(cause.message, problems=[
                FieldProblem(field=str(p.get("field", "body")), message=str(p.get("message", "")))
                for p in details.get("problems", []) if isinstance(p, Mapping)])
        case UnreachableAudience.type:
            return UnreachableAudience(cause.message, audience=str(details.get("audience", "")))
        case HandingOver.type:
            # Rare (a very long escalation continuing as new): the next try reaches the new run.
            return HandingOver("The escalation is handing over to a new run; retry in a second.")
        case _:
            log.error("update failed with unmapped type %r: %s", cause.type, cause.message)
            return UnexpectedFailure(cause.message)


def closed(view: EscalationView) -> ActionNotAllowed:
    """An action on an escalation whose workflow has completed: nothing is allowed any more."""
    return ActionNotAllowed(
        f"The escalation's workflow is no longer running (status {view.status.value}); "
        "no action is allowed.",
        stage=view.stage.value,
        allowed_actions=[],
    )
