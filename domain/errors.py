"""Typed errors of the domain, without HTTP codes: the API maps each once (STYLE rule 11).

The `type` strings are also the ApplicationError types raised by the workflow after acceptance,
so the API can map a failed update by type.
"""

from __future__ import annotations

from collections.abc import Sequence


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

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class RoleNotAllowed(DomainError):
    """The acting role may not take this action (API: 403)."""

    type = "role_not_allowed"


class HandingOver(DomainError):
    """The workflow is draining to continue as new; the caller retries in a moment (API: 503)."""

    type = "handing_over"


class InvalidAction(DomainError):
    """The action is well-formed but names something that does not exist (API: 422)."""

    type = "invalid_action"


ERROR_TYPES: dict[str, type[DomainError]] = {
    cls.type: cls
    for cls in (ActionNotAllowed, VersionConflict, RoleNotAllowed, InvalidAction, HandingOver)
}
