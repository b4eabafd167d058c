"""Many lifecycles at once, and what they left behind: the store the workers wrote, gapless
timelines, deliveries by Idempotency-Key. Shared by the fault tests and the scale-out test.

    store = StoreReader(database_url)
    views = await gather_limited(10, (drive(i) for i in ids))
    timelines = store.timelines(ids)
    assert [p for i in ids for p in timeline_problems(i, timelines[i])] == []
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

from sqlalchemy import Engine

from domain.enums import TimelineType
from domain.models import EscalationView, TimelineEntry
from store import queries
from store.engine import create_engine_for, session_factory
from tests.support.receivers import HttpReceiver

T = TypeVar("T")

# Entries a lifecycle writes at most once, whatever crashes and retries happen around them.
AT_MOST_ONCE = frozenset({
    TimelineType.CREATED, TimelineType.ROUTED, TimelineType.SLA_WARNING,
    TimelineType.RELATED_RECORDS_CLOSED, TimelineType.CLOSED, TimelineType.CANCELLED,
    TimelineType.INTERNAL_RCA_SUBMITTED, TimelineType.CUSTOMER_RCA_SHARED,
})


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


def timeline_problems(escalation_id: str, entries: list[TimelineEntry]) -> list[str]:
    """What a crash, a retry or a second worker could have broken: gaps or repeats in seq, a
    once-only entry written twice, an SLA breached twice."""
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


def deliveries_by_escalation(receiver: HttpReceiver) -> dict[str, Counter[tuple[str, str]]]:
    """Each escalation's deliveries, (event, receiver path), after dedupe by Idempotency-Key."""
    seen: set[str] = set()
    found: dict[str, Counter[tuple[str, str]]] = {}
    for request in receiver.delivered():
        key = request.idempotency_key or ""
        if key in seen:
            continue
        seen.add(key)
        body = request.json()
        found.setdefault(body["escalation_id"], Counter())[(body["event"], request.path)] += 1
    return found


async def gather_limited(limit: int, jobs: Iterable[Awaitable[T]]) -> list[T]:
    """Run the awaitables at most `limit` at a time (a 2-core machine shared with others)."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[T]) -> T:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(job) for job in jobs)))


class Stopwatch:
    """Laps printed with the seconds since the start, so a report can quote where time went."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def lap(self, what: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {what}")
