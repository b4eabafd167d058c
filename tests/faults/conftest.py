"""Fault tests: real processes (dev server on a SQLite file, `escalations worker`, `escalations
api`) on 127.0.0.1, faults injected by signal or by the database itself, counts taken before
and after. Each test owns its dev server, so "every workflow on the server" is its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
import pytest_asyncio
from temporalio.client import Client, RPCTimeoutOrCancelledError

from domain.enums import TimelineType
from domain.ids import new_escalation_id
from domain.messages import IntakeInput, IntakeResult
from domain.models import CreateEscalationInput, EscalationView, TimelineEntry
from domain.policy import Policy
from domain.routing import route
from domain.state import EscalationRequest
from tests.support.escalations import IM
from tests.support.lifecycles import StoreReader
from tests.support.policies import loopback_policy
from tests.support.processes import DevServer
from tests.support.receivers import HttpReceiver, http_receiver
from workflows.escalation import EscalationWorkflow
from workflows.start import settle, start_operation

__all__ = ["http_receiver"]
T = TypeVar("T")


def fault_policy(receiver_url: str, *, notice_within: str, **p3: Any) -> Policy:
    """The loopback policy with short P3 clocks: every contact is `receiver_url`/support/<level>
    (one per level), so each delivery's path says who got it."""
    return loopback_policy(receiver_url, notice_within=notice_within, P3=p3)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[tuple[str, StoreReader]]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    reader = StoreReader(url)
    yield url, reader
    reader.close()


@pytest_asyncio.fixture
async def dev_server(tmp_path: Path) -> AsyncIterator[DevServer]:
    async with DevServer(tmp_path) as server:
        yield server


@pytest_asyncio.fixture
async def temporal(dev_server: DevServer) -> Client:
    return await dev_server.client()


@dataclass(frozen=True)
class Counts:
    """One moment of a fault test, printed so the report can quote it; equal when nothing
    but the label differs."""

    label: str = field(compare=False)
    escalations: int
    timeline_entries: int
    timers_fired: dict[str, int]
    deliveries_raw: int
    deliveries_unique: int

    def show(self) -> None:
        fired = ", ".join(f"{k} {v}" for k, v in sorted(self.timers_fired.items()))
        print(f"[{self.label}] escalations {self.escalations}, timeline entries "
              f"{self.timeline_entries}, timers fired: {fired or 'none'}; deliveries "
              f"{self.deliveries_unique} unique / {self.deliveries_raw} answered 2xx")


def timers_fired(timelines: dict[str, list[TimelineEntry]]) -> dict[str, int]:
    """Timer firings as the timeline records them: a breach per SLA, the resolve warning."""
    fired: Counter[str] = Counter()
    for entries in timelines.values():
        for entry in entries:
            if entry.type is TimelineType.SLA_BREACHED:
                fired[str(entry.details.get("sla"))] += 1
            elif entry.type is TimelineType.SLA_WARNING:
                fired["resolve_warning"] += 1
    return dict(fired)


def count(label: str, timelines: dict[str, list[TimelineEntry]], receiver: HttpReceiver
          ) -> Counts:
    counts = Counts(
        label=label,
        escalations=len(timelines),
        timeline_entries=sum(len(t) for t in timelines.values()),
        timers_fired=timers_fired(timelines),
        deliveries_raw=len(receiver.delivered()),
        deliveries_unique=receiver.unique_deliveries(),
    )
    counts.show()
    return counts


async def wall_clock() -> datetime:
    """A probe for `until`: some waits are for a deadline itself to pass."""
    return datetime.now(UTC)


# A busy 2-core machine can keep an update waiting longer than the server's own deadline for
# one call; the caller then gets RPCTimeoutOrCancelledError and, like the API's clients, tries
# again. Updates carry fixed ids, so a retried update runs its handler once.
CALL_ATTEMPTS = 10


async def retrying(call: Callable[[], Awaitable[T]], *, what: str,
                   attempts: int = CALL_ATTEMPTS) -> T:
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RPCTimeoutOrCancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # The SDK reports our own cancellation this way too: let it stay one.
                raise asyncio.CancelledError from None
            if attempt == attempts:
                raise
            print(f"{what}: attempt {attempt} timed out; again")
    raise AssertionError("unreachable")


async def open_retrying(client: Client, *, task_queue: str, policy: Policy,
                        body: dict[str, Any]) -> IntakeResult:
    """tests.support.escalations.open_escalation with fixed ids, retried on call timeouts."""
    request = CreateEscalationInput.model_validate(body)
    # The API's id format, so the API can read what the test opened.
    escalation_id = new_escalation_id(time.time_ns() // 1_000_000, os.urandom(10))
    request_id = uuid.uuid4().hex
    request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    payload = EscalationRequest(
        id=escalation_id, request=request, routing=route(policy, request), policy=policy,
        created_by=IM.name, request_id=request_id, request_hash=request_hash,
    )

    async def call() -> IntakeResult:
        # One per call: the SDK uses each start operation only once.
        start = start_operation(payload, task_queue=task_queue)
        try:
            # cast: the SDK types an async update's result as its coroutine.
            return cast(IntakeResult, await client.execute_update_with_start_workflow(
                EscalationWorkflow.intake,
                IntakeInput(request_id=request_id, request_hash=request_hash),
                start_workflow_operation=start, id=f"intake-{request_id}"))
        finally:
            await settle(start)

    return await retrying(call, what=f"open {escalation_id}")


async def update_retrying(client: Client, escalation_id: str, update: Any, command: Any,
                          *, step: str) -> EscalationView:
    handle = client.get_workflow_handle_for(EscalationWorkflow.run, escalation_id)
    view: EscalationView = await retrying(
        lambda: handle.execute_update(update, command, id=f"{escalation_id}-{step}"),
        what=f"{step} {escalation_id}")
    return view
