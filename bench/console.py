"""The console against the JSON API it is built on, measured side by side in one run.

- Board: the first page of `/console/` (open escalations, by next deadline) against
  `GET /v1/escalations?status=open&limit=50`, with `--console-escalations` (10,000) in the store.
- Escalation page: `/console/escalations/{id}` against `GET /v1/escalations/{id}` followed by
  its `/timeline` (what a client needs to show the same), on one live escalation.

Requests alternate (ABAB) one at a time, so both sides see the same machine; every figure is a
ratio of p99s from the same run. The escalations are written straight into our API's store
(synthetic views: the board and the list read only the store), and one real escalation is
opened through the API for the page, so its live query reaches the worker as in production.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.drive import escalation_body, http_client
from bench.harness import Run
from bench.sections import latency
from domain.enums import Category, Level, Priority, Stage, Status, Temperature
from domain.models import Deadlines, EscalationView, Links, RcaView, Routing, SlaState
from store.engine import create_engine_for, session_factory
from store.queries import upsert_escalation

SEED_BATCH = 1_000


def _view(n: int, now: datetime) -> EscalationView:
    created = now - timedelta(minutes=n % 5_000)
    escalation_id = f"esc-bench{n:021d}"
    return EscalationView(
        id=escalation_id, version=3, title=f"Charged twice for the March invoice ({n})",
        description="Customer reports a double charge.", category=Category.BILLING,
        status=Status.OPEN if n % 10 else Status.CLOSED, stage=Stage.COMMUNICATE,
        temperature=Temperature.HOT, priority=list(Priority)[n % 4], tier=1 + n % 3,
        level=Level.AGENT, team=("billing", "support", "sre")[n % 3], owner="bench",
        routing=Routing(rule="billing", reasons=["category billing"]),
        deadlines=Deadlines(notice_due=created + timedelta(hours=1),
                            acknowledge_due=created + timedelta(minutes=15 + n % 600),
                            resolve_due=created + timedelta(hours=4)),
        sla=SlaState(), rca=RcaView(required=True),
        links=Links(self=f"/v1/escalations/{escalation_id}", timeline="t", temporal_ui="u"),
        created_at=created, updated_at=created,
    )


def seed(database_url: str, count: int) -> None:
    engine = create_engine_for(database_url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    try:
        for first in range(0, count, SEED_BATCH):
            with sessions() as session, session.begin():
                for n in range(first, min(first + SEED_BATCH, count)):
                    upsert_escalation(session, _view(n, now))
    finally:
        engine.dispose()


async def _signed_in(run: Run) -> httpx.AsyncClient:
    client = http_client(run.ours.url, 2)
    form = await client.get("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None, "no CSRF token on the sign-in page"
    answer = await client.post("/console/sign-in", data={
        "token": run.ours.tokens["incident_manager"], "csrf_token": token.group(1)})
    assert answer.status_code == 303, answer.text
    return client


async def _timed(call: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def _side_by_side(samples: int, a: Callable[[], Awaitable[None]],
                        b: Callable[[], Awaitable[None]]) -> tuple[list[float], list[float]]:
    first: list[float] = []
    second: list[float] = []
    for i in range(samples + 5):
        order = ((a, first), (b, second)) if i % 2 == 0 else ((b, second), (a, first))
        for call, into in order:
            seconds = await _timed(call)
            if i >= 5:  # warm-up: connections, template compilation, statement caches
                into.append(seconds)
    return first, second


def _ok(answer: httpx.Response) -> None:
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text[:200]}")


async def console_section(run: Run) -> dict[str, Any]:
    opts = run.options
    await asyncio.to_thread(seed, run.ours.env["DATABASE_URL"], opts.console_escalations)
    bearer = {"Authorization": f"Bearer {run.ours.tokens['incident_manager']}"}
    api = http_client(run.ours.url, 2)
    console = await _signed_in(run)
    try:
        created = await api.post("/v1/escalations", headers=bearer,
                                 json=escalation_body(run.receiver, 1))
        escalation_id = created.json()["id"]

        async def board() -> None:
            _ok(await console.get("/console/"))

        async def listing() -> None:
            _ok(await api.get("/v1/escalations", params={"status": "open", "limit": 50},
                              headers=bearer))

        async def page() -> None:
            _ok(await console.get(f"/console/escalations/{escalation_id}"))

        async def escalation_and_timeline() -> None:
            _ok(await api.get(f"/v1/escalations/{escalation_id}", headers=bearer))
            _ok(await api.get(f"/v1/escalations/{escalation_id}/timeline", headers=bearer))

        boards, lists = await _side_by_side(opts.console_samples, board, listing)
        pages, jsons = await _side_by_side(opts.console_samples, page, escalation_and_timeline)
    finally:
        await api.aclose()
        await console.aclose()
    board_l, list_l, page_l, json_l = (latency(v) for v in (boards, lists, pages, jsons))
    return {
        "escalations": opts.console_escalations, "samples": opts.console_samples,
        "board": board_l, "list": list_l, "board_ratio_p99": board_l["p99_ms"] / list_l["p99_ms"],
        "page": page_l, "json": json_l, "page_ratio_p99": page_l["p99_ms"] / json_l["p99_ms"],
    }
