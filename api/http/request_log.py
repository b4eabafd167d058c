"""Request ids and log context for every HTTP request.

Each request gets an id (the caller's `X-Request-ID` when it is a sane token, else a new one),
returned in the response's `X-Request-ID` and bound with structlog.contextvars, together with
the escalation id of /v1/escalations/{id}/... paths, for every line logged while it is served.
One line per request is logged at the end with the route template, status and duration.

Pure ASGI on purpose: the route runs in this middleware's context, so what is bound here is
seen by the handler's own log calls (BaseHTTPMiddleware would run it in another task).
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.ids import is_escalation_id

REQUEST_ID_HEADER = "X-Request-ID"
# Echoed into logs and headers: refuse anything that could forge a log field or a header.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_ESCALATION_PATH = re.compile(r"/v1/escalations/([^/]+)")

log = structlog.get_logger("api.requests")


def request_log_context(scope: Scope) -> dict[str, Any]:
    """request_id, and escalation_id and workflow_id (the same id) when the path names one."""
    incoming = next((value.decode("latin-1") for name, value in scope.get("headers", [])
                     if name == b"x-request-id"), None)
    request_id = incoming if incoming and _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
    context: dict[str, Any] = {"request_id": request_id}
    match = _ESCALATION_PATH.match(scope.get("path", ""))
    if match and is_escalation_id(match.group(1)):
        context["escalation_id"] = context["workflow_id"] = match.group(1)
    return context


class RequestLogContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = request_log_context(scope)
        status = 500  # what the server sends when the app fails before answering
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = context["request_id"]
            await send(message)

        with structlog.contextvars.bound_contextvars(**context):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = scope.get("route")
                log.info(
                    "request",
                    method=scope.get("method"),
                    route=route.path if isinstance(route, BaseRoute) and hasattr(route, "path")
                    else None,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
