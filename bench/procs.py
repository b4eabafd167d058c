"""Child processes of one benchmark run: started in their own sessions, all stopped at the end.

Every child leads its own process group (its helpers die with it) and gets a parent-death signal,
so a benchmark killed with SIGKILL still leaves nothing behind; Ctrl-C and errors go through
`Processes.stop_all` in a `finally`.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
STOP_GRACE_SECONDS = 15.0


def free_ports(count: int) -> list[int]:
    """Ports bound together, so the same one is never handed out twice in a call."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _die_with_parent() -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    # Resolved here: only async-signal-safe work may run in the forked child.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (VmRSS), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields 14 and 15 of proc(5) (utime, stime), counted after the ")" that ends the name.
    return (int(fields[11]) + int(fields[12])) / _TICKS


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without settings that would point a child elsewhere."""
    prefixes = ("ESCALATIONS_", "TEMPORAL_", "API_", "DATABASE_", "SMTP_", "WORKER_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    # A proxy from the environment must never see loopback traffic.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env.pop(name, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class ChildFailed(RuntimeError):
    pass


@dataclass
class Processes:
    logs: Path
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, argv: list[str], *, env: Mapping[str, str],
              cwd: Path | None = None) -> Child:
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(
                argv, env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent(),
            )
        child = Child(name, proc, log)
        self.children.append(child)
        return child

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each running child, by name."""
        return {child.name: cpu_seconds(child.pid) for child in self.children}

    def check(self) -> None:
        for child in self.children:
            if not child.alive():
                raise ChildFailed(f"{child.name} exited with {child.proc.returncode}:\n"
                                  f"{child.tail()}")

    def stop(self, child: Child) -> None:
        _signal_group(child.proc, signal.SIGTERM)
        try:
            child.proc.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(child.proc, signal.SIGKILL)
            child.proc.wait()
        if child in self.children:
            self.children.remove(child)

    def stop_all(self) -> None:
        """Newest first (APIs and workers before the server they talk to)."""
        for child in reversed(list(self.children)):
            if child.alive():
                _signal_group(child.proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in reversed(list(self.children)):
            try:
                child.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child.proc, signal.SIGKILL)
                child.proc.wait()
        self.children.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def wait_until(what: str, probe: Callable[[], bool], *, timeout: float, procs: Processes,
               interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        procs.check()
        if time.monotonic() > deadline:
            raise ChildFailed(f"{what} was not ready within {timeout:.0f} s")
        time.sleep(interval)


def http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False
