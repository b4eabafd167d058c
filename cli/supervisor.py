"""Child processes for `escalations up`: started in their own sessions, watched with one wait
primitive that wakes on a stop signal or a child's exit, and stopped stage by stage.

Signal handlers only note the signal (through the wakeup fd), so nothing is interrupted half-way
and no lock is taken inside a handler.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TypeVar

from rich.console import Console

# Workers finish in-flight activity attempts on SIGTERM; the API drains open requests.
STOP_GRACE_SECONDS = 20.0
_STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
T = TypeVar("T")


class StartupError(Exception):
    """A precondition or a readiness deadline failed; the message says what to do."""


class StopRequested(Exception):
    pass


class ChildDied(Exception):
    def __init__(self, name: str, code: int) -> None:
        super().__init__(f"{name} exited unexpectedly with code {code}")
        self.name = name


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec hook so that children in their own sessions still die if `up` is SIGKILLed."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not in the forked child
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class _Child:
    name: str
    proc: subprocess.Popen[bytes]
    stage: int


@dataclass
class Supervisor:
    """Child processes plus one wait primitive that wakes on a signal or a child's exit."""

    console: Console
    children: list[_Child] = field(default_factory=list)
    _wake_r: socket.socket | None = None

    @contextmanager
    def signals(self) -> Iterator[None]:
        # Handlers only note the signal; the wakeup fd carries it to `select` in `pause`, so
        # nothing is interrupted half-way (a Popen, a migration) and no lock is taken in a handler.
        wake_r, wake_w = socket.socketpair()
        wake_r.setblocking(False)
        wake_w.setblocking(False)
        watched = (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)
        previous = {sig: signal.signal(sig, _note_signal) for sig in watched}
        old_fd = signal.set_wakeup_fd(wake_w.fileno(), warn_on_full_buffer=False)
        self._wake_r = wake_r
        try:
            yield
        finally:
            signal.set_wakeup_fd(old_fd)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            wake_r.close()
            wake_w.close()
            self._wake_r = None

    def start(self, name: str, argv: list[str], *, env: Mapping[str, str], stage: int,
              log: Path | None = None) -> None:
        out = log.open("ab") if log is not None else None
        try:
            proc = subprocess.Popen(
                argv,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT if out is not None else None,
                # Own session: the terminal's Ctrl-C reaches only `up`, which stops the children
                # in order (API, workers, then Temporal) instead of all at once.
                start_new_session=True,
                # preexec_fn is unsafe only beside other threads, and `up` runs none.
                preexec_fn=_die_with_parent(),
            )
        finally:
            if out is not None:
                out.close()
        self.children.append(_Child(name, proc, stage))

    def _signals_received(self, timeout: float | None) -> set[int]:
        assert self._wake_r is not None, "use inside Supervisor.signals()"
        select.select([self._wake_r], [], [], timeout)
        received: set[int] = set()
        while True:
            try:
                data = self._wake_r.recv(256)
            except BlockingIOError:
                return received
            received.update(data)

    def pause(self, timeout: float | None) -> None:
        """Wait up to `timeout` s; raise at once on a stop signal or a child's exit."""
        if self._signals_received(timeout) & _STOP_SIGNALS:
            raise StopRequested
        for child in self.children:
            code = child.proc.poll()
            if code is not None:
                raise ChildDied(child.name, code)

    def wait_for(self, what: str, probe: Callable[[], T | None], *, timeout: float,
                 interval: float = 0.25) -> T:
        deadline = time.monotonic() + timeout
        while (value := probe()) is None:
            if time.monotonic() > deadline:
                raise StartupError(f"{what} was not ready within {timeout:.0f} s")
            self.pause(interval)
        return value

    def stop_all(self) -> None:
        """SIGTERM stage by stage, newest first; SIGKILL what outlives the grace period (or a
        second Ctrl-C)."""
        impatient = False
        for stage in sorted({c.stage for c in self.children}, reverse=True):
            group = [c for c in self.children if c.stage == stage and c.proc.poll() is None]
            for child in group:
                _signal_group(child.proc, signal.SIGTERM)
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            while not impatient and any(c.proc.poll() is None for c in group):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                impatient = bool(self._signals_received(min(left, 0.5)) & _STOP_SIGNALS)
            for child in group:
                if child.proc.poll() is None:
                    self.console.print(f"[yellow]{child.name} did not stop in time; killed[/]")
                    _signal_group(child.proc, signal.SIGKILL)
                child.proc.wait()


def _note_signal(_signum: int, _frame: FrameType | None) -> None:
    """Replaces the default handlers so SIGINT raises nothing; the wakeup fd does the work."""


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # the child leads its own session: this reaches its helpers too
    except ProcessLookupError:
        pass
