"""Request bodies over 1 MiB are refused with 413 before any route reads them; a batch of posts
for intake may take 8 MiB (500 posts of up to 10,000 characters, mostly far shorter).

Content-Length is checked first; a body without one (chunked) is read up to the limit and then
replayed to the app, so a client cannot get past the limit by not announcing the size.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import too_large

MAX_BODY_BYTES = 1024 * 1024
LARGER_BODIES = {"/v1/intake/posts": 8 * 1024 * 1024}


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES,
                 larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = limit
        self.larger = LARGER_BODIES if larger is None else larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.default)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                oversized = int(declared) > limit
            except ValueError:
                oversized = False  # the server refuses a malformed length itself
            if oversized:
                await too_large(limit).response()(scope, receive, send)
                return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await too_large(limit).response()(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)
