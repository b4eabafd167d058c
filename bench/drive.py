"""HTTP drivers: one lifecycle walks our API and the bare API path for path, timing each call."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

IM, ENGINEER, LEAD = "incident_manager", "engineer", "engagement_lead"
CONFLICT_RETRY_SECONDS = 0.02
CONFLICT_RETRIES = 500  # 10 s: the close-stage activities of ours run after customer-access


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Target:
    """One side of a comparison: where to create and where actions go, and with which tokens."""

    name: str
    client: httpx.AsyncClient
    create_path: str
    actions_prefix: str
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else {}


def http_client(base_url: str, concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(base_url=base_url, timeout=120.0, trust_env=False, limits=limits)


def escalation_body(receiver: str, n: int, **changes: Any) -> dict[str, Any]:
    """A P1 billing escalation (VIP customer) whose people are all webhooks to the receiver."""
    body: dict[str, Any] = {
        "title": f"Charged twice for the March invoice ({n})",
        "description": "Customer reports a double charge.",
        "category": "billing",
        "channel": "twitter",
        "customer": {"id": f"cust-{n}", "name": "Acme Ltd", "vip": True},
        "affected_customers": [{"id": f"cust-{n}", "name": "Acme Ltd",
                                "contact": {"channel": "webhook",
                                            "address": f"{receiver}/customer"}}],
        "affected_services": ["billing-api"],
        "related_records": [f"INC-{n}"],
        "stakeholders": [{"name": "Finance on-call", "role": "finance", "channel": "webhook",
                          "address": f"{receiver}/finance"}],
        "tags": ["double-billing"],
    }
    body.update(changes)
    return body


def hold_body(receiver: str, n: int) -> dict[str, Any]:
    """A P4 question: long timers, so it stays parked for the whole run."""
    return escalation_body(receiver, n, title=f"Feature question ({n})", category="question",
                           priority="P4", customer=None, affected_customers=[],
                           related_records=[], tags=[])


# create -> notice -> action plan -> resolution -> verification -> customer access ->
# internal RCA -> customer RCA (closed): api.md's paths, bodies and roles.
LIFECYCLE: list[tuple[str, dict[str, Any], str]] = [
    ("notice", {"message": "We are on it.", "audiences": ["internal", "customers"]}, IM),
    ("action-plan", {"steps": [{"description": "Refund the double charge"}],
                     "note": "first plan"}, ENGINEER),
    ("resolution", {"summary": "Refunded."}, IM),
    ("verification", {"verified": True, "note": "refund visible"}, ENGINEER),
    ("customer-access", {"confirmed": True, "note": "customer sees it"}, LEAD),
    ("rca/internal", {"summary": "Retry bug", "root_cause": "Idempotency missing",
                      "corrective_actions": ["Add idempotency keys"]}, ENGINEER),
    ("rca/customer", {"summary": "We fixed it."}, LEAD),
]


class DriveError(RuntimeError):
    pass


@dataclass
class Timings:
    """Round trips by call name, in seconds, and what went wrong."""

    calls: dict[str, list[float]] = field(default_factory=dict)
    conflicts_retried: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.calls.setdefault(name, []).append(seconds)

    def all(self, *, exclude: tuple[str, ...] = ()) -> list[float]:
        return [v for name, values in self.calls.items() if name not in exclude for v in values]

    def merge(self, other: Timings) -> None:
        for name, values in other.calls.items():
            self.calls.setdefault(name, []).extend(values)
        self.conflicts_retried += other.conflicts_retried
        self.errors.extend(other.errors)


async def post(target: Target, path: str, body: dict[str, Any], role: str,
               timings: Timings, name: str) -> dict[str, Any]:
    """One call as a client sees it: a 409 from a stage not yet reached is retried, and the
    whole wait counts in the round trip."""
    started = time.perf_counter()
    for _ in range(CONFLICT_RETRIES):
        answer = await target.client.post(path, json=body, headers=target.headers(role))
        if answer.status_code != 409:
            break
        timings.conflicts_retried += 1
        await asyncio.sleep(CONFLICT_RETRY_SECONDS)
    timings.add(name, time.perf_counter() - started)
    if answer.status_code not in (200, 201):
        raise DriveError(f"{target.name} {path}: {answer.status_code} {answer.text[:300]}")
    result: dict[str, Any] = answer.json()
    return result


async def lifecycle(target: Target, body: dict[str, Any], timings: Timings,
                    extra: Sequence[tuple[str, dict[str, Any], str]] = ()) -> str:
    """Create, then every action in order (with `extra` right after the notice); the id."""
    created = await post(target, target.create_path, body, IM, timings, "create")
    escalation = str(created["id"])
    steps = [*LIFECYCLE[:1], *extra, *LIFECYCLE[1:]]
    for path, action_body, role in steps:
        await post(target, f"{target.actions_prefix}/{escalation}/{path}", action_body, role,
                   timings, path)
    return escalation


async def run_concurrently(count: int, concurrency: int,
                           job: Callable[[int], Awaitable[Any]]) -> tuple[float, list[str]]:
    """Run job(0..count-1), at most `concurrency` at once; wall seconds and error texts."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)
    errors: list[str] = []

    async def worker() -> None:
        while True:
            try:
                n = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                await job(n)
            except (DriveError, httpx.HTTPError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, count))))
    return time.perf_counter() - started, errors
