"""Bearer-token authentication and role checks (api.md, "Auth and roles").

Missing or unknown token: 401 with a `WWW-Authenticate` challenge. Known token whose role may not
call the route: 403, decided here, before the body reaches Temporal, with the same reason the
service layer gives (api/services/roles.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import KeysDep
from api.http.problems import unauthorized
from api.services.roles import refusal
from domain.enums import Action, Role
from domain.lifecycle import ROLES
from domain.models import Actor

# auto_error=False: our own 401 problem, not FastAPI's plain 403 for a missing header.
_bearer = HTTPBearer(auto_error=False, description="An API key from the keys file.")

ALL_ROLES = frozenset({Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD, Role.VIEWER})


async def authenticate(
    keys: KeysDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        raise unauthorized("Send `Authorization: Bearer <token>`.", invalid_token=False)
    actor = keys.authenticate(credentials.credentials)
    if actor is None:
        raise unauthorized("The token is not valid.", invalid_token=True)
    return actor


class RoleGate:
    """A dependency that admits the named roles and refuses the others (403)."""

    def __init__(self, roles: Iterable[Role], what: str) -> None:
        self.roles = frozenset(roles)
        self.what = what

    async def __call__(self, actor: Annotated[Actor, Depends(authenticate)]) -> Actor:
        refused = refusal(actor.role, self.roles, self.what)
        if refused is not None:
            raise refused
        return actor


def may(action: Action) -> RoleGate:
    return RoleGate(ROLES[action], action.value)


Reader = Annotated[Actor, Depends(RoleGate(ALL_ROLES, "read escalations"))]
Creator = Annotated[Actor, Depends(RoleGate({Role.INCIDENT_MANAGER}, "create escalations"))]
Triager = Annotated[
    Actor, Depends(RoleGate({Role.INCIDENT_MANAGER, Role.ENGINEER}, "triage messages"))
]
RcaReader = Annotated[
    Actor,
    Depends(RoleGate({Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD},
                     "list RCA tasks")),
]
Intaker = Annotated[
    Actor, Depends(RoleGate({Role.INCIDENT_MANAGER, Role.ENGINEER, Role.INTAKE},
                            "send posts to intake"))
]
ReportReader = Annotated[
    Actor, Depends(RoleGate({Role.INCIDENT_MANAGER, Role.VIEWER}, "read SLA reports"))
]
IdrReportReader = Annotated[
    Actor, Depends(RoleGate({Role.INCIDENT_MANAGER, Role.VIEWER}, "read IDR data files"))
]
