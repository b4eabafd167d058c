"""Routes and their dependencies run on the event loop, never on FastAPI's thread pool.

FastAPI runs a plain `def` dependency or route with `run_in_threadpool`: a thread hop for each,
which cost our API a fifth of its CPU per lifecycle (docs/benchmarks.md: five hops per action
for checks that take microseconds). Blocking store reads go through `StoreReader.read`'s own
`to_thread`, where they are visible, not through a sync dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fastapi.dependencies.utils
import fastapi.routing
import httpx
import pytest
from starlette.concurrency import run_in_threadpool

from domain.enums import Role
from tests.unit.api.conftest import bearer

ESC = "/v1/escalations/esc-01jd5k7q3mz8x4c9v2b6n0p1rt"


@pytest.fixture
def thread_pool_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What FastAPI hands to its thread pool while the test runs (still run, and recorded)."""
    calls: list[str] = []

    async def recording(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(func, "__qualname__", type(func).__qualname__))
        return await run_in_threadpool(func, *args, **kwargs)

    monkeypatch.setattr(fastapi.dependencies.utils, "run_in_threadpool", recording)
    monkeypatch.setattr(fastapi.routing, "run_in_threadpool", recording)
    return calls


async def test_an_action_and_a_read_use_no_thread_hop(
    client: httpx.AsyncClient, tokens: dict[Role, str], thread_pool_calls: list[str],
) -> None:
    headers = bearer(tokens[Role.INCIDENT_MANAGER])
    action = await client.post(f"{ESC}/acknowledge", json={"owner": "alice"},
                               headers={**headers, "If-Match": "3"})
    read = await client.get(ESC, headers=headers)

    # Temporal is unreachable here: both end in 503 (or 404), after every dependency ran.
    assert action.status_code not in (401, 403, 422), action.text
    assert read.status_code not in (401, 403, 422), read.text
    assert thread_pool_calls == []
