"""Sign-in with a personal API token, and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.console.auth import Console, CsrfChecked, safe_next
from api.console.render import page
from api.console.security import SESSION_COOKIE
from api.deps import KeysDep

router = APIRouter()


@router.get("/")
async def root() -> RedirectResponse:
    """The console is the service's front page."""
    return RedirectResponse("/console/", status_code=307)


@router.get("/console/sign-in")
async def sign_in_form(request: Request, _console: Console, next: str = "/console/") -> Response:
    """The sign-in form."""
    return page(request, "sign_in.html", {"next": safe_next(next), "error": None})


@router.post("/console/sign-in", dependencies=[CsrfChecked])
async def sign_in(
    request: Request, console: Console, keys: KeysDep,
    token: Annotated[str, Form(max_length=400)] = "",
    next: Annotated[str, Form(max_length=2_000)] = "/console/",
) -> Response:
    """Exchange a token for a session cookie; the token itself is never stored or shown."""
    key_id = keys.key_id(token.strip()) if token.strip() else None
    if key_id is None:
        return page(request, "sign_in.html",
                    {"next": safe_next(next), "error": "That token is not valid."}, status=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    console.set_cookies.append((SESSION_COOKIE, console.jar.session_value(key_id),
                                console.jar.session_seconds))
    console.finish(response)
    return response


@router.get("/console/sign-out")
async def sign_out_form(request: Request, _console: Console) -> Response:
    """A confirmation, so that following a link cannot sign anyone out."""
    return page(request, "sign_out.html", {})


@router.post("/console/sign-out", dependencies=[CsrfChecked])
async def sign_out(console: Console) -> Response:
    """End the session."""
    response = RedirectResponse("/console/sign-in", status_code=303)
    console.set_cookies.append((SESSION_COOKIE, "", 0))
    console.finish(response)
    return response
