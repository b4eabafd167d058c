"""Who may do what, as one refusal text for the routes' 403 and the console's inline message."""

from __future__ import annotations

from collections.abc import Iterable

from domain.enums import Action, Role
from domain.errors import RoleNotAllowed
from domain.lifecycle import ROLES
from domain.models import Actor


def refusal(role: Role, allowed: Iterable[Role], what: str) -> RoleNotAllowed | None:
    admitted = frozenset(allowed)
    if role in admitted:
        return None
    names = ", ".join(sorted(r.value for r in admitted))
    return RoleNotAllowed(f"Role {role.value} may not {what} (allowed: {names}).")


def ensure_role(actor: Actor, action: Action) -> None:
    refused = refusal(actor.role, ROLES[action], action.value)
    if refused is not None:
        raise refused
