"""Typed errors of the domain, without HTTP codes: the API maps each once (STYLE rule 11).

The `type` strings are also the ApplicationError types raised by the workflow after acceptance,
so the API can map a failed update by type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class DomainError(Exception):
    type: str = "domain_error"


class PolicyError(DomainError):
    type = "policy_invalid"

    def __init__(self, message: str, *, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems) or [message]


class ActionNotAllowed(DomainError):
    """The action does not fit the escalation's stage or sub-state (API: 409)."""

    type = "action_not_allowed"

    def __init__(self, message: str, *, stage: str, allowed_actions: Sequence[str]) -> None:
        super().__init__(message)
        self.stage = stage
        self.allowed_actions = list(allowed_actions)


class VersionConflict(DomainError):
    """If-Match named a version that is no longer current (API: 412)."""

    type = "version_conflict"

    def __init__(self, message: str, *, current_version: int | None) -> None:
        super().__init__(message)
        self.current_version = current_version


class RoleNotAllowed(DomainError):
    """The acting role may not take this action (API: 403)."""

    type = "role_not_allowed"


class InvalidAction(DomainError):
    """The action is well-formed but names something that does not exist (API: 422)."""

    type = "invalid_action"


class UnreachableAudience(InvalidAction):
    """An audience the action names has nobody it can reach (API: 422 naming `audiences`)."""

    type = "unreachable_audience"

    def __init__(self, message: str, *, audience: str) -> None:
        super().__init__(message)
        self.audience = audience


@dataclass(frozen=True)
class FieldProblem:
    """One refused field of a request: where (`stakeholders[2].address`) and why."""

    field: str
    message: str


class InvalidInput(DomainError):
    """Fields of a well-formed request that the service refuses (API: 422 naming each)."""

    type = "invalid_input"

    def __init__(self, message: str, *, problems: Sequence[FieldProblem]) -> None:
        super().__init__(message)
        self.problems = list(problems)


class NotFound(DomainError):
    """No such escalation, task or record (API: 404)."""

    type = "not_found"


class Conflict(DomainError):
    """The request cannot be served as asked, whatever the stage (API: 409)."""

    type = "conflict"


class Unavailable(DomainError):
    """Temporal, a worker or the database did not answer in time; a retry may work (API: 503)."""

    type = "unavailable"


class HandingOver(Unavailable):
    """The workflow is draining to continue as new; the caller retries in a moment (API: 503)."""

    type = "handing_over"


class UnexpectedFailure(DomainError):
    """A failure nothing maps; its message stays in the log, never in an answer (API: 500)."""

    type = "unexpected_failure"
