"""py-spy on one of our processes while a section runs: a flame graph and a text summary.

Sampling from outside the process (py-spy) rather than inside (pyinstrument): it needs no
change to the process and sees the worker's sandbox, threads and native frames alike.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.procs import BIN

RATE = 100  # samples per second: enough for a section of a minute, cheap for the target


@contextmanager
def recording(pid: int, out: Path) -> Iterator[None]:
    """Record `pid` until the block ends; writes `out` (collapsed stacks, py-spy's raw format)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = subprocess.Popen(
        [str(BIN / "py-spy"), "record", "--pid", str(pid), "--rate", str(RATE), "--format",
         "raw", "--output", str(out), "--nonblocking", "--gil"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        try:
            spy.wait(60)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()


def summary(collapsed: Path, *, top: int = 25) -> list[tuple[str, float]]:
    """The functions with the largest inclusive share of the non-idle samples."""
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        if _idle(frames):
            continue
        count = int(count_text)
        total += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return []
    return [(frame, round(100 * n / total, 1)) for frame, n in inclusive.most_common(top)]


def _idle(frames: list[str]) -> bool:
    leaf = frames[-1]
    return any(word in leaf for word in ("select (", "epoll", "_worker (concurrent", "wait ("))
