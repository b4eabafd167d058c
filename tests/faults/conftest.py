"""Fault tests: real processes (dev server on a SQLite file, `escalations worker`, `escalations
api`) on 127.0.0.1, faults injected by signal or by the database itself, counts taken before
and after. Each test owns its dev server, so "every workflow on the server" is its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
import pytest_asyncio
from sqlalchemy import Engine
from temporalio.client import Client, RPCTimeoutOrCancelledError, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from config.policy_files import preset_text
from domain.enums import TimelineType
from domain.ids import new_escalation_id
from domain.messages import IntakeInput, IntakeResult, WorkflowInput
from domain.models import CreateEscalationInput, EscalationView, TimelineEntry
from domain.policy import Policy, parse_policy
from domain.routing import route
from domain.state import EscalationRequest
from store import queries
from store.engine import create_engine_for, session_factory
from tests.support.escalations import IM
from tests.support.policies import loopback_policy
from tests.support.processes import DevServer
from tests.support.receivers import HttpReceiver, http_receiver
from workflows.escalation import EscalationWorkflow

__all__ = ["http_receiver"]
T = TypeVar("T")

# Entries a lifecycle writes at most once, whatever crashes and retries happen around them.
AT_MOST_ONCE = frozenset({
    TimelineType.CREATED, TimelineType.ROUTED, TimelineType.SLA_WARNING,
    TimelineType.RELATED_RECORDS_CLOSED, TimelineType.CLOSED, TimelineType.CANCELLED,
    TimelineType.INTERNAL_RCA_SUBMITTED, TimelineType.CUSTOMER_RCA_SHARED,
})


def fault_policy(receiver_url: str, *, notice_within: str, **p3: Any) -> Policy:
    """The loopback policy with short P3 clocks: every contact is `receiver_url`/support/<level>
    (one per level), so each delivery's path says who got it."""
    raw = loopback_policy(receiver_url, P3=p3).model_dump(mode="json")
    raw["notice"]["within"] = notice_within
    return Policy.model_validate(raw)


def p3_body(receiver: HttpReceiver, title: str) -> dict[str, Any]:
    """A P3 question routed to team support, with one stakeholder and one affected customer,
    each a webhook on the receiver, so notices reach exactly two recipients."""
    return {
        "title": title, "category": "question", "priority": "P3",
        "stakeholders": [{"name": "exec", "channel": "webhook",
                          "address": receiver.url("/stakeholder")}],
        "affected_customers": [{"id": "cust-1", "name": "Initech",
                                "contact": {"channel": "webhook",
                                            "address": receiver.url("/customer")}}],
    }


class StoreReader:
    """Reads the projection and timelines the worker processes wrote (their real database)."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine_for(url)
        self.sessions = session_factory(self.engine)

    async def read_timelines(self, ids: Iterable[str]) -> dict[str, list[TimelineEntry]]:
        """Off the event loop: a SQLite read may wait for the worker's write lock."""
        return await asyncio.to_thread(self.timelines, list(ids))

    def timelines(self, ids: Iterable[str]) -> dict[str, list[TimelineEntry]]:
        with self.sessions() as session, session.begin():
            return {i: queries.get_timeline(session, i) for i in ids}

    def projections(self, ids: Iterable[str]) -> dict[str, EscalationView | None]:
        with self.sessions() as session, session.begin():
            return {i: queries.get_escalation(session, i) for i in ids}

    def close(self) -> None:
        self.engine.dispose()


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


def timeline_problems(escalation_id: str, entries: list[TimelineEntry]) -> list[str]:
    """What a crash or a retry could have broken: gaps or repeats in seq, a once-only entry
    written twice, an SLA breached twice."""
    problems = []
    seqs = [e.seq for e in entries]
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append(f"{escalation_id}: seq not contiguous from 1: {seqs}")
    kinds = Counter(e.type for e in entries)
    problems += [f"{escalation_id}: {t.value} x{kinds[t]}" for t in AT_MOST_ONCE if kinds[t] > 1]
    breaches = Counter(e.details.get("sla") for e in entries
                       if e.type is TimelineType.SLA_BREACHED)
    problems += [f"{escalation_id}: sla_breached {sla} x{n}" for sla, n in breaches.items()
                 if n > 1]
    return problems


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


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def lap(self, what: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {what}")


async def gather_limited(limit: int, jobs: Iterable[Awaitable[T]]) -> list[T]:
    """Run the awaitables at most `limit` at a time (a 2-core machine shared with others)."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[T]) -> T:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(job) for job in jobs)))


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
        start = WithStartWorkflowOperation(  # one per call: the SDK uses each only once
            EscalationWorkflow.run, WorkflowInput(request=payload), id=escalation_id,
            task_queue=task_queue, id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
        try:
            # cast: the SDK types an async update's result as its coroutine.
            return cast(IntakeResult, await client.execute_update_with_start_workflow(
                EscalationWorkflow.intake,
                IntakeInput(request_id=request_id, request_hash=request_hash),
                start_workflow_operation=start, id=f"intake-{request_id}"))
        finally:
            # After a failed call the SDK leaves the start's outcome on a future nobody awaits;
            # mark it seen so asyncio does not log it at exit (no public accessor exists).
            outcome = start._workflow_handle
            if outcome.done() and not outcome.cancelled():
                outcome.exception()

    return await retrying(call, what=f"open {escalation_id}")


async def update_retrying(client: Client, escalation_id: str, update: Any, command: Any,
                          *, step: str) -> EscalationView:
    handle = client.get_workflow_handle_for(EscalationWorkflow.run, escalation_id)
    view: EscalationView = await retrying(
        lambda: handle.execute_update(update, command, id=f"{escalation_id}-{step}"),
        what=f"{step} {escalation_id}")
    return view


_CONTACT = re.compile(r'channel = "(?:webhook|slack|email)", address = "[^"]*"')


def write_loopback_policy(path: Path, receiver_base: str) -> Path:
    """The shipped default policy as a file for API processes, with every contact a webhook
    under `receiver_base` (numbered in file order) and nothing but 127.0.0.1 allowed."""
    numbers = iter(range(1_000))
    text = _CONTACT.sub(
        lambda _: f'channel = "webhook", address = "{receiver_base}/contact/{next(numbers)}"',
        preset_text("default"))
    text = text.replace("allowed_hosts = []", 'allowed_hosts = ["127.0.0.1"]')
    path.write_text(text, encoding="utf-8")
    parse_policy(text)  # a file the API would refuse fails here, with the reason
    return path
