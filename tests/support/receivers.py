"""Real receivers on 127.0.0.1 for outbound notifications: an HTTP endpoint and an SMTP server.

Both run in their own thread, so they serve sync and async tests alike, whatever event loop the
test uses. Ports are bound to 0 before anything listens, so two suites never race for one port.

    with HttpReceiver() as hook:
        hook.fail(times=2)                      # the next two requests answer 500
        ... deliver to hook.url("/hook") ...
        hook.wait_for(3)
        assert hook.delivered_keys() == {"n-1": 1}

    with SmtpReceiver() as smtp:
        ... send to smtp.host, smtp.port ...
        mail = smtp.wait_for(1)[0]
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import ssl
import threading
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
WAIT_TIMEOUT = 20.0  # seconds a test waits for traffic before failing with what it saw


@dataclass(frozen=True)
class Answer:
    """What the receiver does with one request: answer `status`, or hang until released."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    hang: bool = False


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    status: int | None  # what was answered; None for a request left hanging

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")

    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real webhook receivers do
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the recorded requests are the log

    def _serve(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = receiver._next_answer()
        path, _, query = self.path.partition("?")
        headers = {name.lower(): value for name, value in self.headers.items()}
        receiver._record(
            ReceivedRequest(self.command, path, query, headers, body,
                            None if answer.hang else answer.status)
        )
        if answer.hang:
            receiver._released.wait()
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_POST = do_PUT = do_GET = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, receiver: HttpReceiver) -> None:
        self.receiver = receiver
        super().__init__((HOST, 0), _Handler)


class HttpReceiver:
    """Records every request (path, headers, body); answers 200 unless told otherwise."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._requests: list[ReceivedRequest] = []
        self._script: deque[Answer] = deque()
        self._default = Answer()
        self._released = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> HttpReceiver:
        self._server = _Server(self)
        # A short poll interval: shutdown() waits up to one interval.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name=f"http-receiver-{self.port}")
        self._thread.start()
        return self

    def close(self) -> None:
        self._released.set()  # let hanging handlers finish, so nothing outlives the test
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> HttpReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> HttpReceiver:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.close)

    @property
    def port(self) -> int:
        assert self._server is not None, "start the receiver first"
        return int(self._server.server_address[1])

    def url(self, path: str = "/hook", query: str = "") -> str:
        return f"http://{HOST}:{self.port}{path}" + (f"?{query}" if query else "")

    # behaviour ---------------------------------------------------------------------------
    def fail(self, times: int = 1, status: int = 500, headers: dict[str, str] | None = None
             ) -> None:
        """The next `times` requests answer `status`; then back to the default answer."""
        with self._lock:
            self._script.extend(Answer(status, headers or {}) for _ in range(times))

    def fail_always(self, status: int = 500) -> None:
        """Every request answers `status` until recover()."""
        with self._lock:
            self._default = Answer(status)

    def hang(self, times: int | None = None) -> None:
        """Never answer the next `times` requests (all of them when None) until release()."""
        with self._lock:
            if times is None:
                self._default = Answer(hang=True)
            else:
                self._script.extend(Answer(hang=True) for _ in range(times))

    def recover(self) -> None:
        with self._lock:
            self._script.clear()
            self._default = Answer()

    def release(self) -> None:
        """Let hanging requests go (they are closed unanswered); later ones follow the script."""
        self._released.set()

    def _next_answer(self) -> Answer:
        with self._lock:
            return self._script.popleft() if self._script else self._default

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()

    # what was received -------------------------------------------------------------------
    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._requests)

    def delivered(self) -> list[ReceivedRequest]:
        """Requests this receiver answered 2xx: what a real receiver would have acted on."""
        return [r for r in self.requests if r.status is not None and 200 <= r.status < 300]

    def delivered_keys(self) -> Counter[str]:
        """How often each Idempotency-Key was answered 2xx: more than 1 is a duplicate."""
        return Counter(r.idempotency_key or "" for r in self.delivered())

    def unique_deliveries(self) -> int:
        """Deliveries after dedupe by Idempotency-Key, as a careful receiver counts them."""
        return len(self.delivered_keys())

    def duplicates(self) -> dict[str, int]:
        return {key: n for key, n in self.delivered_keys().items() if n > 1}

    def wait_for(self, count: int, timeout: float = WAIT_TIMEOUT) -> list[ReceivedRequest]:
        """Block until at least `count` requests arrived; fail with what came otherwise."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._requests) >= count, timeout):
                raise AssertionError(f"expected {count} requests, got {len(self._requests)}")
            return list(self._requests)

    async def wait_for_async(self, count: int, within: float = WAIT_TIMEOUT
                             ) -> list[ReceivedRequest]:
        return await asyncio.to_thread(self.wait_for, count, within)


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool  # the session had switched to TLS (STARTTLS) before DATA
    login: str | None  # the AUTH user, when the client authenticated

    @property
    def message(self) -> EmailMessage:
        message = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)  # what policy.default builds
        return message


class _MailHandler:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self.receiver = receiver

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refusal = self.receiver._next_refusal()
        if refusal is not None:
            return refusal
        login = session.auth_data.login.decode() if isinstance(
            session.auth_data, LoginPassword) else None
        self.receiver._record(ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            data=envelope.original_content or b"",
            tls=session.ssl is not None,
            login=login,
        ))
        return "250 Message accepted for delivery"


class _BoundController(Controller):
    """aiosmtpd's Controller on a socket bound to port 0 beforehand (it cannot pick one)."""

    def __init__(self, handler: Any, sock: socket.socket, **smtp_parameters: Any) -> None:
        self._sock = sock
        super().__init__(handler, hostname=HOST, port=sock.getsockname()[1], **smtp_parameters)

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class SmtpReceiver:
    """A real SMTP server (aiosmtpd) that records every accepted message.

    `tls_context` offers STARTTLS; `require_starttls` refuses mail without it; `credentials`
    (login, password) requires AUTH and refuses anything else.
    """

    def __init__(
        self,
        *,
        tls_context: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self._lock = threading.Condition()
        self._messages: list[ReceivedMail] = []
        self._refusals: deque[str] = deque()
        self._credentials = credentials
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((HOST, 0))
        self.host = HOST
        self.port: int = sock.getsockname()[1]
        self._controller = _BoundController(
            _MailHandler(self),
            sock,
            server_hostname="receiver.test",
            tls_context=tls_context,
            require_starttls=require_starttls,
            authenticator=self._authenticate if credentials else None,
            auth_required=credentials is not None,
            auth_require_tls=tls_context is not None,
            enable_SMTPUTF8=True,
        )

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: Any) -> AuthResult:
        assert self._credentials is not None
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(), auth_data.password.decode()) == self._credentials
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def start(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def close(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> SmtpReceiver:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.close)

    def refuse(self, times: int = 1, reply: str = "451 4.3.0 Try again later") -> None:
        """Refuse the next `times` messages at DATA with a temporary SMTP error."""
        with self._lock:
            self._refusals.extend(reply for _ in range(times))

    def _next_refusal(self) -> str | None:
        with self._lock:
            return self._refusals.popleft() if self._refusals else None

    def _record(self, mail: ReceivedMail) -> None:
        with self._lock:
            self._messages.append(mail)
            self._lock.notify_all()

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def message_ids(self) -> Counter[str]:
        """How often each Message-ID arrived: more than 1 is a duplicate delivery."""
        return Counter(str(m.message["Message-ID"]) for m in self.messages)

    def wait_for(self, count: int, timeout: float = WAIT_TIMEOUT) -> list[ReceivedMail]:
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._messages) >= count, timeout):
                raise AssertionError(f"expected {count} messages, got {len(self._messages)}")
            return list(self._messages)

    async def wait_for_async(self, count: int, within: float = WAIT_TIMEOUT
                             ) -> list[ReceivedMail]:
        return await asyncio.to_thread(self.wait_for, count, within)


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    """Import into a conftest.py to use: `from tests.support.receivers import http_receiver`."""
    with HttpReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver
