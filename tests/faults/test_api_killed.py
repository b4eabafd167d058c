"""The API process SIGKILLed twice while 40 clients create escalations with Idempotency-Keys,
and started again on the same port each time. Each client retries on connection errors (and on
503) until it gets an answer, as a careful client does. Wherever the kills cut the requests
(before Temporal, after the start, before the answer), every key ends with exactly one
escalation: one workflow with the key-derived id, one projection row, one intake notification.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from credentials.api_keys import add_key
from domain.enums import Role
from domain.ids import escalation_id_for_key
from store import queries
from store.queries import EscalationFilters
from tests.support.lifecycles import Stopwatch, StoreReader
from tests.support.policies import loopback_policy, write_policy_file
from tests.support.processes import ApiProcess, DevServer, WorkerProcess
from tests.support.receivers import HttpReceiver
from tests.support.waiting import until

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

CREATORS = 40
CLIENT_SECONDS = 300.0  # how long one client keeps retrying before the test fails
RETRY_PAUSE = 0.2


@dataclass
class Creator:
    """One client: its key, its body, and everything it went through."""

    key: str
    body: dict[str, Any]
    answers: list[int] = field(default_factory=list)
    cut: int = 0  # requests that died with the API, mid-way
    refused: int = 0  # requests the API was not back yet to take
    escalation: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        return self.escalation is not None


async def create_until_answered(http: httpx.AsyncClient, creator: Creator,
                                answered: asyncio.Event) -> None:
    deadline = time.monotonic() + CLIENT_SECONDS
    while time.monotonic() < deadline:
        try:
            answer = await http.post("/v1/escalations", json=creator.body,
                                     headers={"Idempotency-Key": creator.key})
        except httpx.ConnectError:
            creator.refused += 1
        except httpx.TransportError:
            creator.cut += 1
        else:
            creator.answers.append(answer.status_code)
            if answer.status_code in (200, 201):
                creator.escalation = answer.json()
                answered.set()
                return
            # 503: the API is up but Temporal did not answer in time; anything else is a bug.
            assert answer.status_code == 503, (creator.key, answer.status_code, answer.text)
        await asyncio.sleep(RETRY_PAUSE)  # a client's pause between retries
    raise AssertionError(f"{creator.key}: no answer in {CLIENT_SECONDS} s: {creator}")


@dataclass(frozen=True)
class Kill:
    answered: int  # clients answered before this kill
    started: int  # workflows visible on the task queue right after it
    cut: int  # requests this kill cut mid-way


async def kill(api: ApiProcess, temporal: Client, queue: str, creators: list[Creator],
               watch: Stopwatch) -> Kill:
    """SIGKILL the API, count, start it again on the same port."""
    cut_before = sum(c.cut for c in creators)
    api.kill()
    answered = sum(c.done for c in creators)
    started = (await temporal.count_workflows(f"TaskQueue = '{queue}'")).count
    await api.start()
    done = Kill(answered=answered, started=started,
                cut=sum(c.cut for c in creators) - cut_before)
    watch.lap(f"API killed and back: {done}")
    return done


async def test_api_killed_during_creates_leaves_one_escalation_per_key(
    tmp_path: Path, dev_server: DevServer, temporal: Client, http_receiver: HttpReceiver,
) -> None:
    watch = Stopwatch()
    queue = f"faults-{uuid.uuid4()}"
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    keys = tmp_path / "api-keys.toml"
    token = add_key(keys, "alice", Role.INCIDENT_MANAGER)
    policy = write_policy_file(tmp_path / "policy.toml", loopback_policy(http_receiver.url("")))
    worker = WorkerProcess(tmp_path, dev_server.address, task_queue=queue,
                           database_url=database_url)
    api = ApiProcess(tmp_path, dev_server.address, task_queue=queue, database_url=database_url,
                     keys_file=keys, policy_file=policy)
    run = uuid.uuid4().hex[:8]
    creators = [Creator(key=f"create-{run}-{n}",
                        body={"title": f"Charged twice #{n}", "category": "billing"})
                for n in range(CREATORS)]
    store = StoreReader(database_url)
    kills: list[Kill] = []
    try:
        await worker.start()
        await api.start()
        watch.lap("worker and API up")
        answered = asyncio.Event()
        async with httpx.AsyncClient(base_url=api.base_url, trust_env=False, timeout=120.0,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            clients = asyncio.gather(*(create_until_answered(http, c, answered)
                                       for c in creators))
            try:
                # Kill 1: the first workflow exists; other requests are still on their way to
                # Temporal. Kill 2 (after the restart): the first answer is out; the rest wait
                # on their intake or are retrying. Between them, every window of a create.
                await until(lambda: temporal.count_workflows(f"TaskQueue = '{queue}'"),
                            lambda found: found.count >= 1, within=CLIENT_SECONDS,
                            what="the first workflow")
                kills.append(await kill(api, temporal, queue, creators, watch))
                answered.clear()
                await asyncio.wait_for(answered.wait(), timeout=CLIENT_SECONDS)
                kills.append(await kill(api, temporal, queue, creators, watch))
                await clients
            finally:
                clients.cancel()
        watch.lap("every client answered")
        ids = {escalation_id_for_key(c.key) for c in creators}
        on_queue = await until(
            lambda: temporal.count_workflows(f"TaskQueue = '{queue}'"),
            lambda found: found.count >= CREATORS, within=60, what="visibility to catch up")
        runs = {i: [w async for w in temporal.list_workflows(f"WorkflowId = '{i}'")]
                for i in ids}
        await until(lambda: asyncio.to_thread(http_receiver.unique_deliveries),
                    lambda n: n >= CREATORS, within=120, what="one intake notification each")
        with store.sessions() as session, session.begin():
            rows, _ = queries.list_escalations(session, EscalationFilters(), limit=200,
                                               cursor=None)
    finally:
        store.close()
        api.child.close()
        worker.child.close()

    statuses = Counter(status for c in creators for status in c.answers)
    print(f"clients: {sum(c.cut for c in creators)} requests cut, "
          f"{sum(c.refused for c in creators)} refused while the API was down; answers "
          f"{dict(statuses)}; kills: {kills}")
    first, second = kills
    assert first.cut > 0, "kill 1 cut no create"
    assert second.cut > 0, "kill 2 cut no create"
    assert second.answered < CREATORS, "kill 2 came after every create: nothing was cut"
    assert all(c.escalation is not None for c in creators)
    # The answer names the key's escalation, and exactly one workflow run exists for it.
    assert {c.key: c.escalation["id"] for c in creators if c.escalation} == {
        c.key: escalation_id_for_key(c.key) for c in creators}
    assert {i: len(r) for i, r in runs.items()} == dict.fromkeys(ids, 1)
    assert on_queue.count == CREATORS
    assert sorted(row.id for row in rows) == sorted(ids)
    # 201 at most once per key; a key whose first request started the workflow but died
    # before its answer gets 200 (found) on the retry.
    assert all(c.answers.count(201) <= 1 for c in creators)
    print(f"keys answered 201: {sum(201 in c.answers for c in creators)}, found on retry "
          f"(200): {sum(200 in c.answers for c in creators)}")
    intake = Counter(r.json()["escalation_id"] for r in http_receiver.delivered()
                     if r.json()["event"] == "new_escalation")
    assert intake == Counter(dict.fromkeys(ids, 1))
    assert http_receiver.duplicates() == {}
