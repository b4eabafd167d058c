"""Scale-out, the production shape (issue #6): three `escalations worker` processes on one task
queue and two `escalations api` processes, all on one PostgreSQL database, drive 200
escalations to closed over HTTP.

Nothing may rely on in-process state: each escalation is created on one API, watched on the
other, and its actions alternate between the two, while Temporal hands its workflow and
activity tasks to whichever worker polls first. The policy is short (acknowledge within 2 s,
notice within 4 s), so two timers fire on the workers for each escalation before anyone acts;
every contact is a webhook on one loopback receiver, and allowed_hosts names 127.0.0.1 only.
The five processes start together on an empty database, so their migrations race (the store
serialises them under a PostgreSQL advisory lock).

Afterwards: every escalation closed exactly once (one `closed` entry, one completed workflow
run, the projection closed at the final version), every timeline gapless and exactly as
expected, every notification delivered once by Idempotency-Key and as expected per escalation,
each API served exactly the requests sent to it, and each worker ran workflow tasks and
activities.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from domain.enums import Role, Stage, Status, TimelineType
from tests.integration.api_fixtures import ENGINEER, IM, LEAD, write_keys
from tests.support.lifecycles import (
    Stopwatch,
    StoreReader,
    deliveries_by_escalation,
    gather_limited,
    p3_body,
    timeline_problems,
)
from tests.support.policies import loopback_policy, write_policy_file
from tests.support.postgres import PostgresServer, requires_postgres
from tests.support.processes import ApiProcess, DevServer, WorkerProcess
from tests.support.receivers import HttpReceiver
from tests.support.waiting import until

pytestmark = [pytest.mark.integration, pytest.mark.postgres, requires_postgres,
              pytest.mark.timeout(900)]

ESCALATIONS = 200
WORKERS = 3
APIS = 2
CLIENTS = 20  # lifecycles in flight at once: enough to keep three workers busy on 2 cores
P3 = {"acknowledge_within": "PT2S", "update_every": "PT1H", "engage_more_after": "PT1H",
      "resolve_within": "PT1H", "rca_required": True, "internal_rca_within": "PT1H",
      "customer_rca_within": "PT1H"}
NOTICE_WITHIN = "PT4S"
# The dev server is disk-bound; `escalations up` runs it with these pragmas too.
WAL = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
# After both timers fired: every action, in order, each on the API the previous one did not use.
STEPS: list[tuple[str, dict[str, Any], Role]] = [
    ("acknowledge", {}, ENGINEER),
    ("action-plan", {"steps": [{"description": "refund the double charge"}]}, ENGINEER),
    ("resolution", {"summary": "refunded"}, IM),
    ("verification", {"verified": True}, ENGINEER),
    ("customer-access", {"confirmed": True}, LEAD),
    ("rca/internal", {"summary": "retry storm", "root_cause": "no idempotency key",
                      "corrective_actions": ["add the key"]}, ENGINEER),
    ("rca/customer", {"summary": "a retry charged some cards twice; all refunded"}, LEAD),
]
TIMELINE = [
    "created", "routed", "stage_changed",
    "sla_breached", "escalated",  # acknowledge timer
    "sla_breached", "notice_sent", "escalated",  # notice timer: the automatic notice
    "acknowledged", "action_plan_set", "stage_changed", "resolution_declared",
    "resolution_verified", "customer_access_confirmed", "stage_changed",
    "related_records_closed", "rca_requested", "internal_rca_submitted", "rca_requested",
    "customer_rca_shared", "closed",
]
# Per escalation, by (event, receiver path): team support's contacts are /support/<role>.
EXPECTED = Counter({
    ("new_escalation", "/support/agent"): 1,
    ("escalated", "/support/team_lead"): 2,
    ("notice", "/stakeholder"): 1,
    ("notice", "/customer"): 1,
    ("resolution_declared", "/support/agent"): 1,
    ("resolution_verified", "/stakeholder"): 1,
    ("resolution_verified", "/customer"): 1,
    ("rca_task", "/support/problem_coordinator"): 1,
    ("rca_task", "/support/engagement_lead"): 1,
    ("rca_shared", "/customer"): 1,
})
Route = tuple[str, str, str]  # method, route template, status: the API's own metric labels


@dataclass
class Api:
    """One API process and the requests this test sent it, counted as its /metrics counts."""

    process: ApiProcess
    http: httpx.AsyncClient
    tokens: dict[Role, str]
    sent: Counter[Route] = field(default_factory=Counter)

    async def post(self, path: str, route: str, body: dict[str, Any], role: Role,
                   **headers: str) -> httpx.Response:
        answer = await self.http.post(path, json=body, headers=self._auth(role) | headers)
        self.sent["POST", route, str(answer.status_code)] += 1
        return answer

    async def get(self, path: str, route: str) -> httpx.Response:
        answer = await self.http.get(path, headers=self._auth(IM))
        self.sent["GET", route, str(answer.status_code)] += 1
        return answer

    def _auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    async def served(self) -> Counter[Route]:
        """What the process says it answered under /v1/ (not its health checks or /metrics)."""
        text = (await self.http.get("/metrics")).text
        served: Counter[Route] = Counter()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = sample.labels
                if sample.name == "escalations_http_requests_total" and \
                        labels["route"].startswith("/v1/"):
                    served[labels["method"], labels["route"], labels["status"]] = int(sample.value)
        return served


def both_timers_fired(answer: httpx.Response) -> bool:
    assert answer.status_code == 200, answer.text
    sla = answer.json()["sla"]
    return bool(sla["acknowledge"] == "breached" and sla["notice"] == "breached")


async def lifecycle(apis: list[Api], receiver: HttpReceiver, run: str, n: int) -> dict[str, Any]:
    """Escalation `n` from creation to closed; returns the last answer (the closed view)."""
    creator = apis[n % APIS]
    created = await creator.post("/v1/escalations", "/v1/escalations",
                                 p3_body(receiver, f"double charge #{n}"), IM,
                                 **{"Idempotency-Key": f"{run}-{n}"})
    assert created.status_code == 201, created.text
    escalation_id = created.json()["id"]
    watcher = apis[(n + 1) % APIS]
    # The two timers fire on whichever worker holds the workflow; a reader polls for them
    # once a second, as a dashboard would.
    await until(lambda: watcher.get(f"/v1/escalations/{escalation_id}",
                                    "/v1/escalations/{escalation_id}"),
                both_timers_fired, within=180, every=1.0,
                what=f"{escalation_id}: acknowledge and notice timers")
    for step, (path, body, role) in enumerate(STEPS):
        api = apis[(n + 1 + step) % APIS]
        answer = await api.post(f"/v1/escalations/{escalation_id}/{path}",
                                f"/v1/escalations/{{escalation_id}}/{path}", body, role)
        assert answer.status_code == 200, (escalation_id, path, answer.text)
    view: dict[str, Any] = answer.json()
    return view


@dataclass
class History:
    workflow_tasks: Counter[str]  # by worker identity
    activities: Counter[str]
    completions: int  # WorkflowExecutionCompleted events
    last_event: EventType.ValueType


async def history_of(client: Client, escalation_id: str) -> History:
    events = (await client.get_workflow_handle(escalation_id).fetch_history()).events
    return History(
        workflow_tasks=Counter(e.workflow_task_completed_event_attributes.identity for e in events
                               if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
        activities=Counter(e.activity_task_started_event_attributes.identity for e in events
                           if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED),
        completions=sum(1 for e in events if e.event_type
                        == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
        last_event=events[-1].event_type,
    )


def identity(worker: WorkerProcess) -> str:
    """The Temporal SDK's default client identity, which the worker reports on every task."""
    return f"{worker.child.pid}@{socket.gethostname()}"


@pytest.fixture
def empty_database(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh PostgreSQL database with no schema: the five processes migrate it as they start.
    PostgreSQL only, not also SQLite: several processes behind one database is what PostgreSQL
    is for (operations.md, "Scale"), and a SQLite run would add two minutes to prove less."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


async def test_three_workers_and_two_apis_close_200_escalations_once_each(
    tmp_path: Path, empty_database: str,
) -> None:
    database_url = empty_database
    watch = Stopwatch()
    queue = f"scale-{uuid.uuid4()}"
    run = uuid.uuid4().hex[:8]
    async with HttpReceiver() as receiver, DevServer(tmp_path, extra_args=WAL) as server:
        policy = write_policy_file(tmp_path / "policy.toml", loopback_policy(
            receiver.url(""), notice_within=NOTICE_WITHIN, P3=P3))
        tokens = write_keys(tmp_path / "api-keys.toml")
        workers = [WorkerProcess(tmp_path, server.address, task_queue=queue,
                                 database_url=database_url, name=f"worker-{i}",
                                 ESCALATIONS_POLICY=str(policy))
                   for i in range(1, WORKERS + 1)]
        processes = [ApiProcess(tmp_path, server.address, task_queue=queue,
                                database_url=database_url, keys_file=tmp_path / "api-keys.toml",
                                policy_file=policy, name=f"api-{i}",
                                # Two cores run everything here: wait on Temporal rather than
                                # answer 503, since an action is not safe to repeat blindly.
                                TEMPORAL_RPC_TIMEOUT_SECONDS="60")
                     for i in range(1, APIS + 1)]
        store = StoreReader(database_url)
        clients = [httpx.AsyncClient(base_url=p.base_url, trust_env=False, timeout=120.0)
                   for p in processes]
        apis = [Api(p, http, tokens) for p, http in zip(processes, clients, strict=True)]
        try:
            await asyncio.gather(*(p.start() for p in [*workers, *processes]))
            watch.lap(f"{WORKERS} workers and {APIS} APIs up on one empty database")
            closed = await gather_limited(CLIENTS, (lifecycle(apis, receiver, run, n)
                                                    for n in range(ESCALATIONS)))
            watch.lap(f"{len(closed)} escalations closed over HTTP")
            ids = [view["id"] for view in closed]
            temporal = await server.client()
            await until(lambda: temporal.count_workflows(
                            f"TaskQueue = '{queue}' AND ExecutionStatus = 'Completed'"),
                        lambda found: found.count == ESCALATIONS, within=60,
                        what="visibility to list every workflow completed")
            runs = (await temporal.count_workflows(f"TaskQueue = '{queue}'")).count
            histories = dict(zip(ids, await gather_limited(10, (
                history_of(temporal, i) for i in ids)), strict=True))
            await until(lambda: asyncio.to_thread(receiver.unique_deliveries),
                        lambda n: n >= ESCALATIONS * sum(EXPECTED.values()), within=60,
                        what="every notification")
            served = [await api.served() for api in apis]
            timelines = await store.read_timelines(ids)
            projections = await asyncio.to_thread(store.projections, ids)
            watch.lap("histories, store and deliveries read")
        finally:
            for http in clients:
                await http.aclose()
            for process in [*processes, *workers]:
                process.child.close()
            store.close()

    worker_ids = {identity(w) for w in workers}
    workflow_tasks = sum((h.workflow_tasks for h in histories.values()), Counter[str]())
    activities = sum((h.activities for h in histories.values()), Counter[str]())
    print(f"workflow tasks by worker: {dict(workflow_tasks)}; activities by worker: "
          f"{dict(activities)}; requests by API: {[sum(a.sent.values()) for a in apis]}")

    # Every escalation closed, once: one run on the queue, completed once, closed in the store
    # at the version the last action answered.
    assert len(set(ids)) == ESCALATIONS
    assert [(v["status"], v["stage"]) for v in closed] == [("closed", "close")] * ESCALATIONS
    assert runs == ESCALATIONS
    assert {i: (h.completions, h.last_event) for i, h in histories.items()} == dict.fromkeys(
        ids, (1, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED))
    assert {i: (p.status, p.stage, p.version) if p else None
            for i, p in projections.items()} == {
        v["id"]: (Status.CLOSED, Stage.CLOSE, v["version"]) for v in closed}
    # Gapless timelines, nothing doubled, exactly the expected story.
    assert [p for i in ids for p in timeline_problems(i, timelines[i])] == []
    assert {i: [e.type.value for e in t] for i, t in timelines.items()
            if [e.type.value for e in t] != TIMELINE} == {}
    assert sum(1 for t in timelines.values() for e in t
               if e.type is TimelineType.CLOSED) == ESCALATIONS
    # Every notification once, by Idempotency-Key, and the expected ones per escalation.
    assert receiver.duplicates() == {}
    delivered = deliveries_by_escalation(receiver)
    assert set(delivered) == set(ids)
    assert {i: c for i, c in delivered.items() if c != EXPECTED} == {}
    # Both APIs answered exactly what was sent to each; all three workers did real work, and
    # nobody else did.
    for api, answered in zip(apis, served, strict=True):
        assert answered == api.sent, api.process.child.name
        assert api.sent["POST", "/v1/escalations", "201"] == ESCALATIONS // APIS
    assert set(workflow_tasks) == worker_ids
    assert set(activities) == worker_ids
