"""Who is signed in to the console, and the checks every console route runs.

`Viewer` (anyone signed in) and `Person(roles, what)` gate pages the way api/auth.py gates the
JSON routes, with the same refusal text (api/services/roles.py). A page asked for while signed
out sends the browser to sign-in and back afterwards. `CsrfChecked` guards every POST.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from api.console.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    CSRF_MAX_AGE,
    SESSION_COOKIE,
    CookieJar,
    same_token,
)
from api.deps import KeysDep
from api.services.roles import refusal
from domain.enums import Role
from domain.models import Actor

ALL_ROLES = frozenset({Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD, Role.VIEWER})


class SignInRequired(Exception):
    """Signed out (or the session expired): to sign-in, then back to `next_path`."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """A state-changing request without the page's CSRF token (403, nothing done)."""


@dataclass
class ConsoleRequest:
    jar: CookieJar
    user: Actor | None
    csrf_token: str
    cookie_token: str | None  # the token the browser sent back; None: it sent none
    # (name, value, max_age) to set on the answer; max_age 0 deletes the cookie.
    set_cookies: list[tuple[str, str, int]] = field(default_factory=list)

    def finish(self, response: Response) -> None:
        """Hand the browser the cookies this request decided on."""
        for name, value, max_age in self.set_cookies:
            if max_age <= 0:
                response.delete_cookie(name, path="/", secure=self.jar.secure, httponly=True,
                                       samesite="lax")
            else:
                response.set_cookie(name, value, **self.jar.cookie_options(max_age))
        self.set_cookies.clear()


def safe_next(path: str | None) -> str:
    """Only a console path of this site: never an open redirect to elsewhere."""
    if path and path.startswith("/console/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/console/"


def sign_in_url(next_path: str) -> str:
    return f"/console/sign-in?next={quote(safe_next(next_path), safe='/')}"


async def console_request(request: Request, keys: KeysDep) -> ConsoleRequest:
    jar: CookieJar = request.app.state.console_cookies
    key_id = jar.key_id(request.cookies.get(SESSION_COOKIE))
    user = keys.actor_for(key_id) if key_id else None
    sent = jar.csrf_token(request.cookies.get(CSRF_COOKIE))
    if sent is None:
        token, value = jar.new_csrf()
        console = ConsoleRequest(jar=jar, user=user, csrf_token=token, cookie_token=None,
                                 set_cookies=[(CSRF_COOKIE, value, CSRF_MAX_AGE)])
    else:
        console = ConsoleRequest(jar=jar, user=user, csrf_token=sent, cookie_token=sent)
    request.state.console = console
    return console


Console = Annotated[ConsoleRequest, Depends(console_request)]


async def csrf_checked(request: Request, console: Console) -> None:
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not same_token(console.cookie_token, given):
        raise CsrfRefused()


CsrfChecked = Depends(csrf_checked)


class Person:
    """A dependency admitting the signed-in holders of `roles` (else the API's 403 text)."""

    def __init__(self, roles: Iterable[Role], what: str) -> None:
        self.roles = frozenset(roles)
        self.what = what

    async def __call__(self, request: Request, console: Console) -> Actor:
        if console.user is None:
            query = f"?{request.url.query}" if request.url.query else ""
            raise SignInRequired(request.url.path + query)
        refused = refusal(console.user.role, self.roles, self.what)
        if refused is not None:
            raise refused
        return console.user


Viewer = Annotated[Actor, Depends(Person(ALL_ROLES, "read escalations"))]
Creator = Annotated[Actor, Depends(Person({Role.INCIDENT_MANAGER}, "create escalations"))]
TaskHolder = Annotated[Actor, Depends(Person(
    {Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD}, "list RCA tasks"))]
ReportReader = Annotated[Actor, Depends(Person(
    {Role.INCIDENT_MANAGER, Role.VIEWER}, "read SLA reports"))]
