"""The frame of the local stand-ins for PagerDuty, Jira, ServiceNow and a record webhook: a
threaded HTTP server on 127.0.0.1 that routes to a vendor module's handlers, checks its auth
header, records every request and every change it made, and injects faults:

    with JiraServer(...) as jira:
        jira.fail(times=3, status=503)        # the next three requests answer 503, change nothing
        jira.fail(status=409, method="POST", path=r"/transitions$")  # only the next such request
        jira.rate_limit(times=1, retry_after=1)
        jira.down()                            # 503 until jira.up()
        jira.hold("POST", r"/transitions$")    # apply the change, then never answer (a lost
        ...                                    # answer); release() lets them go
        assert jira.effects_of("transition") == {"OPS-1": 1}

A thread per server, so both async tests and worker processes reach it.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
HOLD_LIMIT = 120.0  # seconds a held request waits for release() at most


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]  # the first value of each parameter
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Response:
    status: int
    body: Any = None  # JSON, or None for no content
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """A request as received, and the status answered (None: held, never answered)."""

    request: Request
    status: int | None


Handler = Callable[..., Response]
Route = tuple[str, re.Pattern[str], Handler]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the recorded calls are the log

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        request = Request(self.command, parts.path, query,
                          {k.lower(): v for k, v in self.headers.items()}, body)
        response, held = self.server.vendor.handle(request)
        if held:
            self.server.vendor.wait_released()
            self.close_connection = True
            return
        payload = b"" if response.body is None else json.dumps(response.body).encode()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if payload:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, vendor: VendorServer) -> None:
        self.vendor = vendor
        super().__init__((HOST, 0), _Handler)


class VendorServer:
    """Subclasses give `routes()` and `authorized()`; handlers run under the server's lock."""

    name = "vendor"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._calls: list[Call] = []
        self._effects: list[tuple[str, str]] = []
        self._script: deque[tuple[str | None, re.Pattern[str] | None, Response]] = deque()
        self._down: Response | None = None
        self._holds: list[tuple[str, re.Pattern[str], int]] = []
        self._released = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # what a vendor module gives ------------------------------------------------------------
    def routes(self) -> list[Route]:
        raise NotImplementedError

    def authorized(self, request: Request) -> Response | None:
        """None when the request carries valid credentials; else the vendor's refusal."""
        raise NotImplementedError

    def not_found(self, request: Request) -> Response:
        return Response(404, {"error": f"no route {request.method} {request.path}"})

    def effect(self, kind: str, record: str) -> None:
        """A change the server made (a note, a transition): what the tests count."""
        self._effects.append((kind, record))

    # lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> VendorServer:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name=f"{self.name}-{self.port}")
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    @property
    def port(self) -> int:
        assert self._server is not None, "enter the server first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # faults ------------------------------------------------------------------------------
    def fail(self, times: int = 1, status: int = 503, body: Any = None,
             headers: dict[str, str] | None = None, *, method: str | None = None,
             path: str | None = None) -> None:
        """The next `times` requests (of `method` to a `path` matching, when given) answer
        `status` and change nothing."""
        pattern = re.compile(path) if path is not None else None
        with self.lock:
            self._script.extend((method, pattern, Response(status, body, headers or {}))
                                for _ in range(times))

    def rate_limit(self, times: int = 1, retry_after: int = 1) -> None:
        self.fail(times, 429, self.rate_limit_body(), {"Retry-After": str(retry_after)})

    def rate_limit_body(self) -> Any:
        return None

    def down(self, status: int = 503) -> None:
        with self.lock:
            self._down = Response(status, None)

    def up(self) -> None:
        with self.lock:
            self._down = None

    def hold(self, method: str, path: str, times: int = 1_000) -> None:
        """Apply the next `times` matching requests, then keep them unanswered until release()."""
        with self.lock:
            self._holds.append((method, re.compile(path), times))

    def release(self) -> None:
        self._released.set()

    def wait_released(self) -> None:
        self._released.wait(HOLD_LIMIT)

    # serving -----------------------------------------------------------------------------
    def handle(self, request: Request) -> tuple[Response, bool]:
        with self.lock:
            response = self._answer(request)
            held = self._take_hold(request) if 200 <= response.status < 300 else False
            self._calls.append(Call(request, None if held else response.status))
            return response, held

    def _answer(self, request: Request) -> Response:
        for i, (method, pattern, scripted) in enumerate(self._script):
            if (method in (None, request.method)
                    and (pattern is None or pattern.search(request.path))):
                del self._script[i]
                return scripted
        if self._down is not None:
            return self._down
        refused = self.authorized(request)
        if refused is not None:
            return refused
        for method, pattern, handler in self.routes():
            found = pattern.fullmatch(request.path)
            if found and method == request.method:
                return handler(request, *found.groups())
        return self.not_found(request)

    def _take_hold(self, request: Request) -> bool:
        for i, (method, pattern, times) in enumerate(self._holds):
            if method == request.method and pattern.search(request.path) and times > 0:
                self._holds[i] = (method, pattern, times - 1)
                return True
        return False

    # what was received -------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        with self.lock:
            return list(self._calls)

    def requests(self, method: str, path: str = "") -> list[Request]:
        return [c.request for c in self.calls
                if c.request.method == method and re.search(path, c.request.path)]

    def effects_of(self, kind: str) -> Counter[str]:
        """How often each record got a change of this kind: more than 1 is a duplicate."""
        with self.lock:
            return Counter(record for k, record in self._effects if k == kind)

    def held(self) -> int:
        with self.lock:
            return sum(1 for c in self._calls if c.status is None)
