"""`escalations up`, the real console script, end to end on free ports with a temporary data dir.

What a user of `make run` relies on: the printed addresses answer, the printed tokens work, an
escalation created over the API is findable by stage in Temporal, Ctrl-C leaves nothing behind,
and the next `up` on the same data dir finds the escalation where it was.

The core of it runs twice (tests/integration/conftest.py): with the default store, the SQLite
file in the data dir that `make run` uses, and with DATABASE_URL naming a fresh PostgreSQL
database, which `up` migrates and hands to its worker and API.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import select
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.support.lifecycles import StoreReader
from tests.support.postgres import PostgresServer
from tests.support.waiting import until

pytestmark = [
    pytest.mark.integration,
    # Leftover processes are found through /proc, and `up` ties its children to its own life
    # with a Linux-only parent-death signal.
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only"),
]

BIN = Path(sys.executable).parent
ESCALATIONS = BIN / "escalations"
TEMPORAL = BIN / "temporal"
STARTUP_SECONDS = 240.0  # a cold first start migrates two databases and imports everything
STOP_SECONDS = 90.0
ROLES = ("incident_manager", "engineer", "engagement_lead", "viewer", "intake")
# httpx keeps a pooled connection 5 s; the API must keep an idle one open longer than that.
IDLE_PAST_HTTPX_EXPIRY = 6.0
T = TypeVar("T")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # SO_REUSEADDR: connections left in TIME_WAIT do not make a port busy for a listener.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def processes_with(marker: str) -> list[int]:
    """Pids whose environment carries `marker`: `up` and everything it started."""
    needle = marker.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def poll(probe: Callable[[], T | None], *, timeout: float, what: str) -> T:
    """`probe` (blocking: it runs the Temporal CLI) until it returns a value, against a deadline."""
    async def probe_off_thread() -> T | None:
        return await asyncio.to_thread(probe)

    found = asyncio.run(until(probe_off_thread, lambda value: value is not None,
                              within=timeout, what=what, every=0.25))
    assert found is not None
    return found


@dataclass
class Banner:
    api: str
    docs: str
    ui: str
    tokens: dict[str, str]


@dataclass
class Up:
    """One `escalations up` process with its output read line by line in a thread."""

    data_dir: Path
    marker: str
    database_url: str | None = None  # DATABASE_URL; None: `up`'s SQLite file in the data dir
    ports: list[int] = field(default_factory=lambda: free_ports(3))
    lines: list[str] = field(default_factory=list)
    _queue: queue.Queue[str | None] = field(default_factory=queue.Queue)
    proc: subprocess.Popen[str] | None = None
    reader: threading.Thread | None = None

    @property
    def api_port(self) -> int:
        return self.ports[0]

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.ports[1]}"

    def start(self) -> Banner:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ESCALATIONS_", "TEMPORAL_", "API_", "DATABASE_", "SMTP_"))}
        env["ESCALATIONS_TEST_MARKER"] = self.marker
        if self.database_url is not None:
            env["DATABASE_URL"] = self.database_url
        api, temporal, ui = self.ports
        self.proc = subprocess.Popen(
            [str(ESCALATIONS), "up", "--api-port", str(api), "--temporal-port", str(temporal),
             "--ui-port", str(ui), "--data-dir", str(self.data_dir)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env=env, cwd=self.data_dir.parent,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self._banner()

    def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # EOF only once every process holding the pipe is gone
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def output(self) -> str:
        return "\n".join(self.lines[-80:])

    def _banner(self) -> Banner:
        seen: list[str] = []
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no banner within {STARTUP_SECONDS} s:\n{self.output()}") from None
            if line is None:
                raise AssertionError(f"`up` ended before its banner:\n{self.output()}")
            seen.append(line)
            if line.startswith("Ctrl-C stops everything"):
                break
        text = "\n".join(seen)

        def address(label: str) -> str:
            match = re.search(rf"^\s+{label}\s+(http://\S+)$", text, flags=re.MULTILINE)
            assert match, f"no {label} address in:\n{text}"
            return match.group(1)

        tokens = dict(re.findall(rf"^\s+({'|'.join(ROLES)})\s+(\S+)$", text, flags=re.MULTILINE))
        return Banner(api=address("API"), docs=address("API docs"), ui=address("Temporal UI"),
                      tokens=tokens)

    def stop(self, sig: int = signal.SIGINT) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=STOP_SECONDS)
        assert self.reader is not None
        self.reader.join(timeout=STOP_SECONDS)
        return code

    def kill(self) -> None:
        """Teardown after a failure: children die with `up` (parent-death signal)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def client(banner: Banner, role: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {banner.tokens[role]}"} if role else {}
    return httpx.Client(base_url=banner.api, headers=headers, timeout=30.0, trust_env=False)


def workflow_ids(temporal_address: str, query: str) -> list[str]:
    done = subprocess.run(
        [str(TEMPORAL), "workflow", "list", "--address", temporal_address, "--query", query,
         "-o", "json", "--disable-config-env", "--disable-config-file"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    rows: list[dict[str, Any]] = json.loads(done.stdout or "[]")
    return [row["execution"]["workflowId"] for row in rows]


def workflow_id_of(escalation: dict[str, Any]) -> str:
    """The workflow behind an escalation, from its Temporal UI link (else its id)."""
    link = str(escalation.get("links", {}).get("temporal_ui", ""))
    return link.rstrip("/").rsplit("/", 1)[-1] if "/workflows/" in link else str(escalation["id"])


@pytest.fixture(scope="module")
def data_dir(store_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not ESCALATIONS.exists():
        pytest.fail(f"{ESCALATIONS} is missing: install the project (pip install -e '.[dev]')")
    return tmp_path_factory.mktemp(f"up-{store_backend}") / "data"


@pytest.fixture(scope="module")
def up_database_url(store_backend: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """DATABASE_URL for both `up`s of a module run: unset, or one fresh PostgreSQL database."""
    if store_backend == "sqlite":
        yield None
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture(scope="module")
def first(data_dir: Path, up_database_url: str | None) -> Iterator[tuple[Up, Banner]]:
    stack = Up(data_dir=data_dir, marker=f"first-{uuid.uuid4()}", database_url=up_database_url)
    try:
        yield stack, stack.start()
    finally:
        stack.kill()


@pytest.fixture(scope="module")
def created(first: tuple[Up, Banner]) -> dict[str, Any]:
    _, banner = first
    with client(banner, "incident_manager") as http:
        answer = http.post("/v1/escalations",
                           json={"title": "Charged twice (escalations up test)",
                                 "category": "billing"})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture(scope="module")
def stopped(first: tuple[Up, Banner], created: dict[str, Any]) -> int:
    """The first stack after Ctrl-C (SIGINT), with its exit code."""
    stack, _ = first
    return stack.stop(signal.SIGINT)


def test_prints_the_addresses_and_a_token_per_role(first: tuple[Up, Banner]) -> None:
    stack, banner = first
    assert banner.api == f"http://127.0.0.1:{stack.api_port}"
    assert banner.docs == f"{banner.api}/docs"
    assert banner.ui == f"http://127.0.0.1:{stack.ports[2]}"
    assert set(banner.tokens) == set(ROLES)


def test_api_is_healthy(first: tuple[Up, Banner]) -> None:
    _, banner = first
    with client(banner) as http:
        assert http.get("/healthz").status_code == 200


def test_an_idle_keep_alive_connection_outlasts_a_clients_pool_expiry(
    first: tuple[Up, Banner],
) -> None:
    """httpx keeps pooled connections 5 s; a server that closed them at 5 s too dropped the
    request that reused one at that instant (httpx.ReadError in test_scale_out)."""
    _, banner = first
    url = httpx.URL(banner.api)
    with socket.create_connection((url.host, url.port), timeout=30.0) as conn:
        assert health_over(conn).startswith(b"HTTP/1.1 200")
        # Wait for the server to close the idle connection (it becomes readable: EOF), past
        # httpx's 5 s expiry; the old server closed it at 5 s, and this returns then.
        closed, _, _ = select.select([conn], [], [], IDLE_PAST_HTTPX_EXPIRY)
        assert not closed, "the server closed the idle connection"
        assert health_over(conn).startswith(b"HTTP/1.1 200")


def health_over(conn: socket.socket) -> bytes:
    """One GET /healthz on an open connection; its whole answer (b"" if the server closed)."""
    try:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: api\r\n\r\n")
    except OSError:
        return b""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = conn.recv(4096)
        if not chunk:
            return answer
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += conn.recv(4096)
    return answer


def test_ui_port_serves_the_temporal_web_ui(first: tuple[Up, Banner]) -> None:
    _, banner = first
    answer = httpx.get(banner.ui, timeout=30.0, trust_env=False, follow_redirects=True)
    assert answer.status_code == 200
    assert "text/html" in answer.headers["content-type"]
    assert "<html" in answer.text.lower()


@pytest.mark.parametrize("role", ROLES)
def test_printed_tokens_authenticate(first: tuple[Up, Banner], role: str) -> None:
    _, banner = first
    with client(banner, role) as http:
        # A connector's intake token only sends posts: known (not 401), refused a read (403).
        assert http.get("/v1/escalations").status_code == (403 if role == "intake" else 200)


def test_unknown_token_is_refused(first: tuple[Up, Banner]) -> None:
    _, banner = first
    with httpx.Client(base_url=banner.api, trust_env=False, timeout=30.0,
                      headers={"Authorization": "Bearer not-a-printed-token"}) as http:
        assert http.get("/v1/escalations").status_code == 401


def test_created_escalation_is_in_communicate(created: dict[str, Any]) -> None:
    assert created["stage"] == "communicate"


def test_temporal_finds_the_escalation_by_stage(
    first: tuple[Up, Banner], created: dict[str, Any]
) -> None:
    stack, _ = first
    wanted = workflow_id_of(created)
    # Visibility is eventually consistent: poll until the search attribute is indexed.
    poll(lambda: wanted in workflow_ids(stack.temporal_address,
                                        "EscalationStage='communicate'") or None,
         timeout=60.0, what=f"{wanted} in EscalationStage='communicate'")


def test_the_escalation_is_stored_where_database_url_says(
    first: tuple[Up, Banner], created: dict[str, Any], data_dir: Path,
    up_database_url: str | None,
) -> None:
    sqlite_file = data_dir / "escalations.db"
    store = StoreReader(up_database_url or f"sqlite:///{sqlite_file}")
    try:
        # The create answers only once intake is recorded: the projection is there already.
        stored = store.projections([created["id"]])[created["id"]]
    finally:
        store.close()
    assert stored is not None, "the 201 came before the escalation was in the store"
    assert (stored.id, stored.stage) == (created["id"], "communicate")
    # With DATABASE_URL the data dir holds no store of its own.
    assert sqlite_file.exists() == (up_database_url is None)


def test_credentials_in_recipient_urls_are_sealed_with_the_data_dirs_key(
    first: tuple[Up, Banner], data_dir: Path, up_database_url: str | None,
) -> None:
    _, banner = first
    key_file = data_dir / "sealing.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # created by `up`, owner only
    token = f"up-s3cret-{uuid.uuid4().hex[:8]}"
    # Port 9 on loopback: the delivery may be tried, but nothing leaves this machine.
    hook = {"name": "Ops hook", "channel": "webhook",
            "address": f"http://127.0.0.1:9/notify?token={token}"}
    with client(banner, "incident_manager") as http:
        answer = http.post("/v1/escalations", json={
            "title": "Sealed hook (escalations up test)", "category": "other",
            "stakeholders": [hook]})
    assert answer.status_code == 201, answer.text
    assert token not in answer.text
    assert "token=***" in answer.text
    store = StoreReader(up_database_url or f"sqlite:///{data_dir / 'escalations.db'}")
    try:
        stored = store.projections([answer.json()["id"]])[answer.json()["id"]]
    finally:
        store.close()
    assert stored is not None, "the 201 came before the escalation was in the store"
    assert token not in stored.model_dump_json()
    assert "#sealed=v1." in stored.stakeholders[0].address


def test_sigint_stops_everything(first: tuple[Up, Banner], stopped: int) -> None:
    stack, _ = first
    assert stopped == 0, stack.output()
    assert stack.reader is not None
    assert not stack.reader.is_alive(), "a child still holds the terminal"
    assert processes_with(stack.marker) == []
    assert all(port_is_free(port) for port in stack.ports)


def test_second_up_finds_the_escalation_where_it_was(
    first: tuple[Up, Banner], created: dict[str, Any], stopped: int, data_dir: Path,
    up_database_url: str | None,
) -> None:
    _, first_banner = first
    again = Up(data_dir=data_dir, marker=f"second-{uuid.uuid4()}", database_url=up_database_url)
    try:
        banner = again.start()
        assert banner.tokens == first_banner.tokens  # the keys file is kept
        with client(banner, "viewer") as http:
            answer = http.get(f"/v1/escalations/{created['id']}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["stage"] == "communicate"
        assert answer.json()["status"] == "open"
        assert workflow_id_of(created) in workflow_ids(
            again.temporal_address, "EscalationStage='communicate'")
        assert again.stop(signal.SIGTERM) == 0
        assert processes_with(again.marker) == []
    finally:
        again.kill()


# Once, with the default store: what it checks is the supervisor, which no store changes.
def test_a_dying_child_stops_the_rest(tmp_path: Path) -> None:
    stack = Up(data_dir=tmp_path / "data", marker=f"dying-{uuid.uuid4()}")
    try:
        stack.start()
        assert stack.proc is not None
        workers = [pid for pid in processes_with(stack.marker)
                   if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert workers, stack.output()
        os.kill(workers[0], signal.SIGKILL)
        assert stack.proc.wait(timeout=STOP_SECONDS) != 0
        assert stack.reader is not None
        stack.reader.join(timeout=STOP_SECONDS)
        assert "exited unexpectedly" in stack.output()
        assert processes_with(stack.marker) == []
        assert all(port_is_free(port) for port in stack.ports)
    finally:
        stack.kill()
