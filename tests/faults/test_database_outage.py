"""The store's PostgreSQL database refusing every connection for a while, with the worker and
the API (real processes) running against it.

The outage is PostgreSQL's own: `ALLOW_CONNECTIONS false` on the database and every open
session terminated, so pooled connections break and new ones are refused, exactly as when the
database is restarted or failed over. While it lasts, actions taken on escalations wait on
store activities that fail and retry, and the API answers 503 (never 500) to reads that need
the database. Once it is back, nothing is missing: every projection is at the workflow's version
and every timeline entry is there.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url
from temporalio.client import Client

from credentials.api_keys import add_key
from domain.enums import Role
from domain.models import AcknowledgeInput, EscalateInput, EscalationView
from tests.faults.conftest import count, fault_policy, open_retrying, update_retrying
from tests.support.escalations import ENGINEER
from tests.support.lifecycles import (
    Stopwatch,
    StoreReader,
    gather_limited,
    p3_body,
    timeline_problems,
)
from tests.support.postgres import PostgresServer, requires_postgres
from tests.support.processes import ApiProcess, DevServer, WorkerProcess
from tests.support.receivers import HttpReceiver
from tests.support.waiting import until
from workflows.escalation import EscalationWorkflow

pytestmark = [pytest.mark.faults, pytest.mark.postgres, requires_postgres,
              pytest.mark.timeout(600)]

ESCALATIONS = 10
READ_ROUNDS = 3  # each DB-backed read asked this many times during the outage


class Database:
    """One test database on the shared server, and the switch that takes it away."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.url = server.create_database()
        name = make_url(self.url).database
        assert name is not None
        self.name = name

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        plain = make_url(self.server.url).set(drivername="postgresql")
        return psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True)

    def refuse_connections(self) -> int:
        """No new sessions, and every open one ended; returns how many were ended."""
        with self._admin() as admin:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false")
                          .format(sql.Identifier(self.name)))
            ended = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,)).fetchone()
        return int(str(ended[0])) if ended else 0

    def accept_connections(self) -> None:
        with self._admin() as admin:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true")
                          .format(sql.Identifier(self.name)))

    def drop(self) -> None:
        self.accept_connections()
        self.server.drop_database(self.url)


@pytest.fixture
def database(postgres_server: PostgresServer) -> Iterator[Database]:
    db = Database(postgres_server)
    yield db
    db.drop()


async def store_attempts(client: Client, escalation_id: str) -> int:
    """The attempt number of the escalation's pending store write (0: none pending)."""
    description = await client.get_workflow_handle(escalation_id).describe()
    return max((a.attempt for a in description.raw_description.pending_activities
                if a.activity_type.name == "record_escalation"), default=0)


async def test_store_outage_loses_nothing_and_the_api_answers_503(
    tmp_path: Path, dev_server: DevServer, temporal: Client, http_receiver: HttpReceiver,
    database: Database,
) -> None:
    watch = Stopwatch()
    queue = f"faults-{uuid.uuid4()}"
    store = StoreReader(database.url)
    # An incident manager: the one role that may read every DB-backed list (RCA inbox too).
    token = add_key(tmp_path / "api-keys.toml", "alice", Role.INCIDENT_MANAGER)
    policy = fault_policy(http_receiver.url(""), notice_within="PT1H",
                          acknowledge_within="PT1H", resolve_within="PT4H",
                          engage_more_after="PT2H", update_every="PT1H", rca_required=False)
    worker = WorkerProcess(tmp_path, dev_server.address, task_queue=queue,
                           database_url=database.url)
    api = ApiProcess(tmp_path, dev_server.address, task_queue=queue, database_url=database.url,
                     keys_file=tmp_path / "api-keys.toml")
    http = httpx.AsyncClient(base_url=api.base_url, trust_env=False, timeout=60.0,
                             headers={"Authorization": f"Bearer {token}"})
    answers: Counter[tuple[str, int]] = Counter()
    acks: list[asyncio.Task[EscalationView]] = []
    try:
        await worker.start()
        await api.start()
        opened = await gather_limited(5, (
            open_retrying(temporal, task_queue=queue, policy=policy,
                          body=p3_body(http_receiver, f"invoice #{n}"))
            for n in range(ESCALATIONS)))
        ids = [r.escalation.id for r in opened]
        await until(lambda: asyncio.to_thread(http_receiver.unique_deliveries),
                    lambda n: n == ESCALATIONS, within=120, what="every intake notification")
        # Deliveries in flight across the outage: the team lead's receiver fails them first.
        http_receiver.fail_always(503)
        await gather_limited(5, (update_retrying(
            temporal, i, EscalationWorkflow.escalate,
            EscalateInput(actor=ENGINEER, type="hierarchical", reason="finance asks"),
            step="escalate") for i in ids))
        await until(lambda: asyncio.to_thread(_refused_escalations, http_receiver),
                    lambda n: n == ESCALATIONS, within=120, what="each escalation refused once")
        before = count("before the outage", store.timelines(ids), http_receiver)
        assert (await http.get("/v1/escalations")).status_code == 200
        watch.lap("10 escalations open, escalated, their notifications failing")

        ended = database.refuse_connections()
        http_receiver.recover()  # from here only the database stands in the way
        watch.lap(f"database refusing connections ({ended} sessions ended)")
        acks += [asyncio.create_task(update_retrying(
            temporal, i, EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER),
            step="ack")) for i in ids]
        # Every acknowledgement waits on a store write that has failed three times (1, 2 and
        # 4 s of backoff): the outage lasts seconds, not one lucky retry.
        attempts = await until(
            lambda: asyncio.gather(*(store_attempts(temporal, i) for i in ids)),
            lambda found: min(found) >= 4, within=180, what="each store write retried 3 times")
        reads = {"list": "/v1/escalations", "timeline": f"/v1/escalations/{ids[0]}/timeline",
                 "rca inbox": "/v1/rca-tasks", "readyz": "/readyz"}
        for _ in range(READ_ROUNDS):
            for name, path in reads.items():
                answer = await http.get(path)
                answers[(name, answer.status_code)] += 1
                assert answer.status_code == 503, (path, answer.status_code, answer.text)
                if name != "readyz":
                    assert answer.headers["content-type"].startswith("application/problem+json")
        assert not any(task.done() for task in acks), "an action finished without its store"
        # The store cannot be read now; the receiver can: nothing got through meanwhile.
        assert len(http_receiver.delivered()) == before.deliveries_raw, "sent without the store"
        watch.lap(f"store writes retrying (attempts {sorted(attempts)}); reads answered 503")

        database.accept_connections()
        views: list[EscalationView] = list(await asyncio.gather(*acks))
        watch.lap("database back; every acknowledgement returned")
        projected = await until(
            lambda: asyncio.to_thread(store.projections, ids),
            lambda p: all(v is not None and v.version == w.version
                          for v, w in zip(p.values(), views, strict=True)),
            within=180, what="projections at the workflows' versions")
        await until(lambda: asyncio.to_thread(http_receiver.unique_deliveries),
                    lambda n: n >= 2 * ESCALATIONS, within=180,
                    what="the escalation notices, delivered after the outage")
        after_list = await http.get("/v1/escalations")
    finally:
        for task in acks:
            task.cancel()
        await asyncio.gather(*acks, return_exceptions=True)
        await http.aclose()
        api.child.close()
        worker.child.close()

    timelines = store.timelines(ids)
    store.close()
    after = count("after the outage", timelines, http_receiver)
    live = {v.id: v for v in views}
    assert {i: (p.version if p else None) for i, p in projected.items()} == {
        i: live[i].version for i in ids}
    assert [p for i in ids for p in timeline_problems(i, timelines[i])] == []
    # Every entry the workflows wrote, and nothing else: acknowledge added one to each.
    assert after.timeline_entries == before.timeline_entries + ESCALATIONS
    assert all(timelines[i][-1].type.value == "acknowledged" for i in ids)
    # Each escalation notice reached the team lead exactly once, after the outage.
    delivered = Counter((r.json()["escalation_id"], r.json()["event"], r.path)
                        for r in http_receiver.delivered())
    assert delivered == Counter({**{(i, "new_escalation", "/support/agent"): 1 for i in ids},
                                 **{(i, "escalated", "/support/team_lead"): 1 for i in ids}})
    assert after_list.status_code == 200
    assert {item["id"] for item in after_list.json()["items"]} == set(ids)
    print(f"API answers during the outage: {dict(answers)}")


def _refused_escalations(receiver: HttpReceiver) -> int:
    """Escalation notices the receiver has refused at least once."""
    return len({r.idempotency_key for r in receiver.requests
                if r.status == 503 and r.path == "/support/team_lead"})
