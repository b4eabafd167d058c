"""The console's session and CSRF cookies, and the headers every console answer carries.

The session cookie holds a key id (credentials/api_keys.py `key_id`), never the token: each
request looks the key up again, so a key removed from the keys file signs its holder out. Both
cookies are signed with ESCALATIONS_CONSOLE_SECRET (itsdangerous, as Starlette's own
SessionMiddleware), which every API process behind one proxy shares.

CSRF: a random token in its own signed cookie, repeated in every state-changing form (or in the
`X-CSRF-Token` header htmx sends); a POST whose two copies differ is refused (403) before
anything runs. SameSite=Lax already keeps other sites' POSTs from carrying the cookies; the
token also covers the sign-in form, where there is no session yet.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "esc_session"
CSRF_COOKIE = "esc_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_MAX_AGE = 7 * 24 * 3600

# No inline script or style anywhere (the few behaviours are static modules), no framing.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


@dataclass(frozen=True)
class CookieJar:
    """Signs and reads the console's two cookies."""

    secret: str
    session_seconds: int
    secure: bool

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=salt)

    def session_value(self, key_id: str) -> str:
        return str(self._serializer("console-session").dumps({"k": key_id}))

    def key_id(self, cookie: str | None) -> str | None:
        """The key id of a valid, unexpired session cookie."""
        if not cookie:
            return None
        try:
            data: Any = self._serializer("console-session").loads(
                cookie, max_age=self.session_seconds)
        except BadSignature:
            return None
        key = data.get("k") if isinstance(data, dict) else None
        return key if isinstance(key, str) else None

    def new_csrf(self) -> tuple[str, str]:
        """A fresh token and its cookie value."""
        token = secrets.token_urlsafe(32)
        return token, self._serializer("console-csrf").dumps(token)

    def csrf_token(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            token: Any = self._serializer("console-csrf").loads(cookie, max_age=CSRF_MAX_AGE)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None

    def cookie_options(self, max_age: int) -> dict[str, Any]:
        return {"max_age": max_age, "httponly": True, "samesite": "lax", "secure": self.secure,
                "path": "/"}


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(
        str(expected).encode(), str(given).encode())


class ConsoleHeaders:
    """Adds the security headers to every answer under /console (and the / redirect)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path.startswith("/console")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *[(k, v) for k, v in message.get("headers", [])
                      if k.lower() not in {name for name, _ in HEADERS}],
                    *HEADERS,
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
