"""Real processes for fault tests: a Temporal dev server on a SQLite file, `escalations worker`
and `escalations api`, each on free 127.0.0.1 ports, stopped by pid (SIGTERM or SIGKILL), with
readiness waits that poll against a deadline.

    async with DevServer(tmp_path) as server:           # temporal server start-dev --db-filename
        worker = WorkerProcess(tmp_path, server.address, task_queue=q, database_url=url)
        await worker.start()                            # returns once it logged "worker started"
        worker.kill()                                   # SIGKILL, nothing graceful
        await server.stop()                             # SIGTERM; server.start() again: same file

Every child runs under `setpriv --pdeathsig KILL` where available, so a test process that dies
takes its servers with it instead of leaving them on the machine. Each start writes its own log
file (`<name>.<n>.log`), whose tail is quoted when a readiness wait fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from types import TracebackType

import httpx
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from tests.support.temporal import binary
from tests.support.waiting import until
from workflows.search_attributes import SEARCH_ATTRIBUTES

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
# Generous: a cold start imports everything and migrates, on 2 cores shared with other suites.
READY_SECONDS = 180.0
STOP_SECONDS = 60.0
# Variables of ours (and of the Temporal CLI) that must not leak from the caller's shell into a
# child: each child gets exactly the settings its test gives it.
_OURS = ("ESCALATIONS_", "TEMPORAL_", "DATABASE_URL", "SMTP_", "API_", "WORKER_")


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now, all different (held open together while picking)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((HOST, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port() -> int:
    return free_ports(1)[0]


def child_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_OURS)}
    env.update(settings)
    env["PYTHONUNBUFFERED"] = "1"  # log lines reach the file as they happen
    return env


def _die_with_us() -> list[str]:
    setpriv = shutil.which("setpriv")
    if setpriv is None or not sys.platform.startswith("linux"):
        return []
    # The death signal is tied to the thread that forks: children are started from the test's
    # event-loop thread, which lives as long as the session.
    return [setpriv, "--pdeathsig", "KILL", "--"]


class ChildProcess:
    """One long-running child with its output in a log file; signals go to its pid only."""

    def __init__(self, name: str, argv: list[str], *, env: Mapping[str, str], log_dir: Path
                 ) -> None:
        self.name = name
        self.argv = argv
        self.env = dict(env)
        self.log_dir = log_dir
        self.starts = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.{self.starts}.log"

    @property
    def pid(self) -> int:
        assert self.proc is not None, f"{self.name} was never started"
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self) -> None:
        assert not self.running, f"{self.name} is already running (pid {self.pid})"
        self.starts += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [*_die_with_us(), *self.argv], env=self.env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, cwd=self.log_dir,
            )

    def output(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def logged(self, needle: str) -> bool:
        try:
            return needle in self.log_path.read_text(errors="replace")
        except OSError:
            return False

    async def wait_ready(self, probe: Callable[[], Awaitable[bool]], *, what: str,
                         within: float = READY_SECONDS) -> None:
        """Poll `probe` until it holds; fail at once (with the log) if the child exits."""

        async def check() -> bool | None:
            if not self.running:
                return None
            try:
                return await probe()
            except Exception:  # not listening yet, half started: try again
                return False

        state = await until(check, lambda ok: ok is None or ok is True, within=within,
                            what=f"{self.name}: {what}")
        if state is None:
            code = self.proc.returncode if self.proc else None
            raise AssertionError(
                f"{self.name} exited with {code} before {what}:\n{self.output()}")

    def kill(self) -> int:
        """SIGKILL: the process gets no chance to finish anything."""
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait(timeout=STOP_SECONDS)

    async def stop(self, sig: int = signal.SIGTERM, *, within: float = STOP_SECONDS) -> int:
        """Send `sig` and wait for the exit; a child that ignores it fails the test (killed)."""
        assert self.proc is not None
        proc = self.proc
        if proc.poll() is None:
            os.kill(proc.pid, sig)
        try:
            return await asyncio.to_thread(proc.wait, within)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"{self.name} ignored signal {sig} for {within} s:\n{self.output()}") from None

    def close(self) -> None:
        """Teardown: whatever still runs is killed."""
        if self.running:
            self.kill()


class DevServer:
    """`temporal server start-dev` on a SQLite file and a fixed port, so that a restart finds
    the same workflows at the same address."""

    def __init__(self, directory: Path, *, extra_args: list[str] | None = None,
                 name: str = "temporal") -> None:
        self.port, self.http_port, self.metrics_port = free_ports(3)
        self.db_file = directory / f"{name}.db"
        args = [
            binary("temporal"), "server", "start-dev", "--headless",
            "--ip", HOST, "--port", str(self.port), "--http-port", str(self.http_port),
            "--metrics-port", str(self.metrics_port), "--db-filename", str(self.db_file),
            "--log-level", "warn",
            *(arg for name, kind in SEARCH_ATTRIBUTES.items()
              for arg in ("--search-attribute", f"{name}={kind}")),
            *(extra_args or []),
        ]
        self.child = ChildProcess(name, args, env=child_env(), log_dir=directory)

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    async def client(self) -> Client:
        return await Client.connect(self.address, data_converter=pydantic_data_converter)

    async def start(self) -> None:
        self.child.spawn()
        await self.child.wait_ready(self._serving, what="serving the default namespace")

    async def _serving(self) -> bool:
        client = await Client.connect(self.address)
        # The namespace answering with our attributes is what workflows need, not just a port.
        found = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace="default"))
        return set(SEARCH_ATTRIBUTES) <= set(found.custom_attributes)

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        return await self.child.stop(sig)

    async def __aenter__(self) -> DevServer:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.child.close()


class WorkerProcess:
    """`escalations worker`: ready once it logged that it polls its task queue."""

    def __init__(self, directory: Path, temporal_address: str, *, task_queue: str,
                 database_url: str, name: str = "worker", **settings: str) -> None:
        env = child_env(TEMPORAL_ADDRESS=temporal_address, TEMPORAL_TASK_QUEUE=task_queue,
                        DATABASE_URL=database_url, ESCALATIONS_DATA_DIR=str(directory),
                        **settings)
        self.child = ChildProcess(name, [str(BIN / "escalations"), "worker"], env=env,
                                  log_dir=directory)

    async def start(self) -> None:
        self.child.spawn()
        await self.child.wait_ready(self._started, what="worker started")

    async def _started(self) -> bool:
        return self.child.logged("worker started")

    def kill(self) -> int:
        return self.child.kill()

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        return await self.child.stop(sig)

    async def __aenter__(self) -> WorkerProcess:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.child.close()


class ApiProcess:
    """`escalations api` on a free port: ready once /healthz answers 200."""

    def __init__(self, directory: Path, temporal_address: str, *, task_queue: str,
                 database_url: str, keys_file: Path, policy_file: Path | None = None,
                 port: int | None = None, name: str = "api", **settings: str) -> None:
        self.port = port or free_port()
        env = child_env(TEMPORAL_ADDRESS=temporal_address, TEMPORAL_TASK_QUEUE=task_queue,
                        DATABASE_URL=database_url, ESCALATIONS_DATA_DIR=str(directory),
                        ESCALATIONS_API_KEYS=str(keys_file), **settings)
        if policy_file is not None:
            env["ESCALATIONS_POLICY"] = str(policy_file)
        self.child = ChildProcess(
            name, [str(BIN / "escalations"), "api", "--host", HOST, "--port", str(self.port)],
            env=env, log_dir=directory)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def start(self) -> None:
        self.child.spawn()
        await self.child.wait_ready(self._healthy, what="/healthz answering 200")

    async def _healthy(self) -> bool:
        async with httpx.AsyncClient(trust_env=False, timeout=5.0) as http:
            return (await http.get(f"{self.base_url}/healthz")).status_code == 200

    def kill(self) -> int:
        return self.child.kill()

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        return await self.child.stop(sig)

    async def __aenter__(self) -> ApiProcess:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.child.close()
