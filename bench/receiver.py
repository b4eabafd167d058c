"""The notification receiver of a benchmark run: answers every webhook 200 and counts them.

A process of its own (not a thread of the driver) so that receiving notifications costs CPU the
way a real receiver would, without stealing the driver's event loop. `GET /stats` answers the
number of deliveries and of repeated idempotency keys (a receiver that answered 2xx must never
see one again).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


class Receiver:
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.count = 0
        self.duplicates = 0

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:  # drain the body; its content is not needed
            message = await receive()
            more = message.get("more_body", False)
        if scope["method"] == "GET" and scope["path"] == "/stats":
            body = json.dumps({"count": self.count, "duplicates": self.duplicates}).encode()
        else:
            key = dict(scope["headers"]).get(b"idempotency-key")
            if key is not None:
                if key in self.seen:
                    self.duplicates += 1
                self.seen.add(key)
            self.count += 1
            body = b"{}"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(Receiver(), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False, lifespan="off")


if __name__ == "__main__":
    main()
