"""`escalations up` says what it waits for, and how long each step took."""

from __future__ import annotations

import io

from rich.console import Console

from cli.up_status import waiting
from tests.support.waiting import until


def test_each_step_is_named_with_its_duration() -> None:
    out = io.StringIO()
    console = Console(file=out, highlight=False, soft_wrap=True)
    with waiting(console, "waiting for Temporal to serve"):
        pass
    assert out.getvalue().startswith("  waiting for Temporal to serve: done in 0.0 s")


async def test_a_terminal_sees_the_step_while_it_runs() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)

    async def drawn() -> str:
        return out.getvalue()

    with waiting(console, "migrating the store"):
        # Drawn by rich's refresh thread while the step still runs.
        live = await until(drawn, lambda text: "migrating the store" in text,
                           what="the status line", within=5)
    assert "done in" not in live
