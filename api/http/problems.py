"""RFC 9457 problem details: the one shape of every error answer (api.md, "Errors").

`Problem` is raised anywhere below a route; the handlers installed by `install` turn it, and
Starlette's and FastAPI's own errors, into `application/problem+json`. Nothing here ever puts a
stack trace or an internal message into an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:escalations:problem:"
log = logging.getLogger("api")


class FieldError(BaseModel):
    field: str
    message: str


class ProblemDetail(BaseModel):
    """The body of every error answer; 409, 412 and 422 add their members."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    stage: str | None = None
    allowed_actions: list[str] | None = None
    current_version: int | None = None
    errors: list[FieldError] | None = None


class Problem(Exception):
    def __init__(
        self,
        status: int,
        kind: str,
        detail: str | None = None,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **members: Any,
    ) -> None:
        super().__init__(detail or kind)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers or {}
        self.members = members

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": TYPE_BASE + self.kind, "title": self.title,
                                "status": self.status}
        if self.detail is not None:
            body["detail"] = self.detail
        body.update(self.members)
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers,
                            media_type=MEDIA_TYPE)


def bad_request(detail: str) -> Problem:
    return Problem(400, "bad-request", detail)


def unauthorized(detail: str, *, invalid_token: bool) -> Problem:
    challenge = 'Bearer realm="escalations"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    return Problem(401, "unauthorized", detail, headers={"WWW-Authenticate": challenge})


def forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", detail)


def not_found(detail: str) -> Problem:
    return Problem(404, "not-found", detail)


def action_not_allowed(detail: str, *, stage: str, allowed_actions: Sequence[str]) -> Problem:
    return Problem(409, "action-not-allowed", detail, title="Action not allowed", stage=stage,
                   allowed_actions=list(allowed_actions))


def conflict(detail: str) -> Problem:
    return Problem(409, "conflict", detail)


def version_conflict(detail: str, *, current_version: int | None) -> Problem:
    if current_version is None:
        return Problem(412, "version-conflict", detail, title="Version conflict")
    # The current ETag too, so a client can re-read and retry knowingly.
    return Problem(412, "version-conflict", detail, title="Version conflict",
                   headers={"ETag": f'"{current_version}"'}, current_version=current_version)


def unprocessable(
    errors: Iterable[FieldError], detail: str = "The request is not valid."
) -> Problem:
    return Problem(422, "validation-error", detail, title="Validation error",
                   errors=[e.model_dump() for e in errors])


def unavailable(detail: str) -> Problem:
    return Problem(503, "unavailable", detail, headers={"Retry-After": "1"})


def internal_error() -> Problem:
    return Problem(500, "internal-error", "The server could not answer this request.")


def too_large(limit: int) -> Problem:
    return Problem(413, "payload-too-large", f"The request body is larger than {limit} bytes.")


def _field_of(loc: Sequence[int | str]) -> str:
    """`("body", "steps", 0, "due")` -> `steps[0].due`; other sources keep their name first."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    field = ""
    for part in parts:
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field += ("." if field else "") + str(part)
    return field or "body"


def field_errors(errors: Iterable[Any]) -> list[FieldError]:
    found: list[FieldError] = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "json_invalid":
            loc, message = ("body",), "the body is not valid JSON"
        found.append(FieldError(field=_field_of(loc), message=message))
    return found


async def _on_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return exc.response()


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else None
    if status == 404:
        detail = f"Nothing here: {request.url.path}"
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    kind = HTTPStatus(status).phrase.lower().replace(" ", "-")
    return Problem(status, kind, detail, headers=dict(exc.headers or {})).response()


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return unprocessable(field_errors(exc.errors())).response()


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_middleware(CatchAll)


class CatchAll:
    """Any exception a handler did not map: logged here, a bare 500 problem to the caller."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # too late for a problem answer; the server closes the connection
            await internal_error().response()(scope, receive, send)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each listed error documented with the problem schema."""
    return {
        status: {"model": ProblemDetail, "description": HTTPStatus(status).phrase}
        for status in statuses
    }
