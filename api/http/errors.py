"""The one place where the domain's typed errors become problem+json answers (STYLE rule 11).

The service layer raises `domain.errors` types and never builds an HTTP answer; the handler
installed here maps each by class, once, for the JSON routes and the console alike.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.http.problems import (
    FieldError,
    Problem,
    action_not_allowed,
    conflict,
    forbidden,
    internal_error,
    not_found,
    unavailable,
    unprocessable,
    version_conflict,
)
from domain.errors import (
    ActionNotAllowed,
    Conflict,
    DomainError,
    InvalidAction,
    InvalidInput,
    NotFound,
    RoleNotAllowed,
    Unavailable,
    UnreachableAudience,
    VersionConflict,
)

log = logging.getLogger("api.errors")


def problem_for(error: DomainError) -> Problem:
    match error:
        case ActionNotAllowed():
            return action_not_allowed(str(error), stage=error.stage,
                                      allowed_actions=error.allowed_actions)
        case VersionConflict():
            return version_conflict(str(error), current_version=error.current_version)
        case RoleNotAllowed():
            return forbidden(str(error))
        case UnreachableAudience():
            return unprocessable([FieldError(field="audiences", message=str(error))], str(error))
        case InvalidAction():
            return unprocessable([FieldError(field="body", message=str(error))], str(error))
        case InvalidInput():
            return unprocessable(
                [FieldError(field=p.field, message=p.message) for p in error.problems], str(error))
        case NotFound():
            return not_found(str(error))
        case Conflict():
            return conflict(str(error))
        case Unavailable():
            # The cause (which server, which error) is for the log, not for the caller.
            log.warning("%s (%s; %r)", error.type, getattr(error, "cause", ""), error.__cause__)
            return unavailable(str(error))
        case _:
            log.error("unmapped %s: %s", error.type, error)
            return internal_error()


async def _on_domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_for(exc).response()


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _on_domain_error)
