"""`escalations up` says what it waits for, and how long each step took."""

from __future__ import annotations

import io
import time

from rich.console import Console

from cli.up_status import waiting


def test_each_step_is_named_with_its_duration() -> None:
    out = io.StringIO()
    console = Console(file=out, highlight=False, soft_wrap=True)
    with waiting(console, "waiting for Temporal to serve"):
        pass
    assert out.getvalue().startswith("  waiting for Temporal to serve: done in 0.0 s")


def test_a_terminal_sees_the_step_while_it_runs() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)
    with waiting(console, "migrating the store"):
        time.sleep(0.3)  # the status line is drawn by rich's refresh thread
        live = out.getvalue()
    assert "migrating the store" in live
