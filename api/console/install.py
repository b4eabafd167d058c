"""The console inside the API app: its routes, static files, headers and error pages.

`install(app)` is called once by `create_app`; `cookie_jar(settings)` by the lifespan, which
refuses to start outside development without ESCALATIONS_CONSOLE_SECRET (sessions signed with
a per-process secret would break behind a proxy with several API processes).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from api.console.auth import CsrfRefused, SignInRequired, console_request, sign_in_url
from api.console.pages import actions, board, escalation, new, reports, session, tasks
from api.console.render import STATIC, templates
from api.console.security import ConsoleHeaders, CookieJar

__all__ = ["ConsoleSecretMissing", "CookieJar", "cookie_jar", "install"]
from api.http.errors import problem_for
from api.http.problems import Problem, field_errors
from config.settings import Settings
from domain.errors import DomainError

log = logging.getLogger("api.console")
PREFIX = "/console"
YEAR = 365 * 24 * 3600


class ConsoleSecretMissing(ValueError):
    """ESCALATIONS_CONSOLE_SECRET is required here."""


def cookie_jar(settings: Settings) -> CookieJar:
    configured = settings.escalations_console_secret
    if configured is None and not settings.development:
        raise ConsoleSecretMissing(
            "ESCALATIONS_CONSOLE_SECRET is required when ESCALATIONS_PUBLIC_URL is not a "
            "loopback address: every API process must sign console sessions alike")
    if configured is None:
        log.warning("no ESCALATIONS_CONSOLE_SECRET: console sessions end when this API "
                    "process stops and are not valid on any other")
    secret = configured.get_secret_value() if configured else secrets.token_urlsafe(48)
    return CookieJar(secret=secret,
                     session_seconds=int(settings.escalations_console_session_hours * 3600),
                     secure=settings.escalations_public_url.startswith("https://"))


class CachedStatic(StaticFiles):
    """Static files are fingerprinted in their URLs (render.static_url): cache them a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response


def _console(request: Request) -> bool:
    return request.url.path.startswith(PREFIX)


async def _error_page(request: Request, status: int, message: str) -> Response:
    if getattr(request.state, "console", None) is None:
        await console_request(request, request.app.state.keys)
    console = request.state.console
    response = templates.TemplateResponse(
        request, "error.html",
        {"user": console.user, "csrf_token": console.csrf_token, "status": status,
         "message": message, "path": request.url.path},
        status_code=status)
    console.finish(response)
    return response


Handler = Callable[[Request, Exception], Awaitable[Response]]


def _for_console(app: FastAPI, kind: type[Exception],
                 describe: Callable[[Exception], tuple[int, str]]) -> None:
    """Console requests get an HTML page for `kind`; the JSON API keeps its problem+json."""
    previous: Handler | None = app.exception_handlers.get(kind)  # type: ignore[assignment]

    async def handle(request: Request, exc: Exception) -> Response:
        if _console(request) or previous is None:
            status, message = describe(exc)
            return await _error_page(request, status, message)
        return await previous(request, exc)

    app.add_exception_handler(kind, handle)


def _problem(exc: Exception) -> tuple[int, str]:
    assert isinstance(exc, Problem)
    return exc.status, exc.detail or exc.title


def _domain(exc: Exception) -> tuple[int, str]:
    assert isinstance(exc, DomainError)
    problem = problem_for(exc)
    return problem.status, problem.detail or problem.title


def _http(exc: Exception) -> tuple[int, str]:
    assert isinstance(exc, StarletteHTTPException)
    return exc.status_code, "Nothing here." if exc.status_code == 404 else str(exc.detail)


def _invalid(exc: Exception) -> tuple[int, str]:
    assert isinstance(exc, RequestValidationError)
    return 422, "; ".join(f"{e.field}: {e.message}" for e in field_errors(exc.errors()))


async def _sign_in(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(sign_in_url(exc.next_path), status_code=303)


async def _csrf(request: Request, _exc: Exception) -> Response:
    return await _error_page(request, 403, "This form has expired or did not come from this "
                             "site (CSRF token missing or wrong). Reload the page and try again.")


PAGES = (session, board, new, escalation, actions, tasks, reports)


def install(app: FastAPI) -> None:
    for module in PAGES:
        app.include_router(module.router, include_in_schema=False)
    app.mount(f"{PREFIX}/static", CachedStatic(directory=str(STATIC)), name="console-static")
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(CsrfRefused, _csrf)
    for kind, describe in ((Problem, _problem), (DomainError, _domain),
                           (StarletteHTTPException, _http),
                           (RequestValidationError, _invalid)):
        _for_console(app, kind, describe)
    app.add_middleware(ConsoleHeaders)
