"""Templates: one environment, autoescaped, with the few helpers every page uses.

Every user-supplied string reaches a page through Jinja's autoescape; nothing is marked safe
except the SVG the chart module builds with its own escaping (api/console/charts.py).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from domain.clocks import countdown

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=str(HERE / "templates"))


@cache
def static_url(name: str) -> str:
    """The file's URL with a fingerprint of its content, so it can be cached for a year."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/console/static/{name}?v={digest}"


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else ""


def _iso(at: datetime | None) -> str:
    return at.astimezone(UTC).isoformat() if at else ""


def _words(value: object) -> str:
    return str(getattr(value, "value", value)).replace("_", " ")


templates.env.globals["static"] = static_url
templates.env.filters["when"] = _when
templates.env.filters["iso"] = _iso
templates.env.filters["words"] = _words
templates.env.filters["countdown"] = lambda due, now: countdown(due, now) if due else ""


def page(request: Request, name: str, context: dict[str, Any], *, status: int = 200
         ) -> Response:
    """Render `name` with what every page needs (the signed-in person, the CSRF token)."""
    console = request.state.console
    base = {"user": console.user, "csrf_token": console.csrf_token, "now": datetime.now(UTC),
            "path": request.url.path}
    response = templates.TemplateResponse(request, name, {**base, **context},
                                          status_code=status)
    console.finish(response)
    return response
