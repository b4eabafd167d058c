"""What `escalations up` is waiting for, said while it waits: a rich status line (a spinner on a
terminal, nothing on a pipe) during each step, then one line with the step's duration."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape


@contextmanager
def waiting(console: Console, step: str) -> Iterator[None]:
    started = time.monotonic()
    with console.status(f"{escape(step)} …"):
        yield
    console.print(f"  {escape(step)}: done in {time.monotonic() - started:.1f} s")
