"""Wait for a condition with a deadline (never a fixed sleep that hopes it is long enough)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def until(
    probe: Callable[[], Awaitable[T]],
    condition: Callable[[T], bool],
    *,
    within: float = 20.0,
    what: str = "condition",
    every: float = 0.05,
) -> T:
    """Probe until the condition holds; fail with the last value seen after `within` seconds.
    `every`: the pause between probes (longer where many waits probe a shared server)."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if condition(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value: {value!r}")
        await asyncio.sleep(every)
