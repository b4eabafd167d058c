"""Scale-out, the production shape of docker-compose.yml run without Docker (issues #6, #24):
`escalations migrate` once on an empty PostgreSQL database, then three `escalations worker`
and two `escalations api` processes that only check the schema (ESCALATIONS_MIGRATE_ON_START
off), the two APIs behind Debian's nginx running the very proxy config compose ships
(deploy/proxy/api.conf, upstreams replaced by the two local ports), driving 200 escalations to
closed over HTTP through the proxy.

Nothing may rely on in-process state: the proxy spreads requests over both APIs, Temporal hands
workflow and activity tasks to whichever worker polls first. The policy is short (acknowledge
within 2 s, notice within 4 s), so two timers fire on the workers for each escalation before
anyone acts; every contact is a webhook on one loopback receiver.

Mid-run (once a third of the escalations closed) one worker and one API are SIGKILLed. A client
behaves as api.md asks: creates carry an Idempotency-Key, actions an If-Match, and a request
that failed in transit is resolved by reading the escalation (applied: its version moved) or
sent again. Afterwards nothing may show the kills: every escalation closed exactly once, every
timeline gapless and exactly as expected, every notification delivered as expected per
escalation after dedupe by Idempotency-Key, and each process did part of the work.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
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
from tests.support.processes import BIN, ApiProcess, DevServer, WorkerProcess, child_env
from tests.support.proxy import NginxProxy, requires_nginx
from tests.support.receivers import HttpReceiver
from tests.support.waiting import until
from worker.build import ACTIVITY_SLOTS

pytestmark = [pytest.mark.integration, pytest.mark.postgres, requires_postgres, requires_nginx,
              pytest.mark.timeout(900)]

ESCALATIONS = 200
WORKERS = 3
APIS = 2
CLIENTS = 20  # lifecycles in flight at once: enough to keep three workers busy on 2 cores
KILL_AFTER = ESCALATIONS // 3  # closed escalations before one worker and one API are killed
# Answers that mean "the request may or may not have reached an API": the proxy's own (its
# upstream died mid-request) and the API's "Temporal did not answer in time".
IN_DOUBT = {502, 503, 504}
SETTLE_SECONDS = 60.0  # how long an action found applied by reading may still be finishing
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
    ("resolution_verified", "/support/engagement_lead"): 1,  # asked to confirm customer access
    ("rca_task", "/support/problem_coordinator"): 1,
    ("rca_task", "/support/engagement_lead"): 1,
    ("rca_shared", "/customer"): 1,
})
Route = tuple[str, str, str]  # method, route template, status: the API's own metric labels


@dataclass
class CarefulClient:
    """Requests through the proxy, sent as api.md asks a careful client to: a create with its
    Idempotency-Key, an action with If-Match; one whose answer was lost is resolved by reading."""

    http: httpx.AsyncClient
    tokens: dict[Role, str]
    in_doubt: Counter[str] = field(default_factory=Counter)

    def _auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    async def _post(self, path: str, body: dict[str, Any], headers: dict[str, str]
                    ) -> httpx.Response | None:
        try:
            answer = await self.http.post(path, json=body, headers=headers)
        except httpx.TransportError:
            answer = None
        if answer is None or answer.status_code in IN_DOUBT:
            self.in_doubt[path.rsplit("/", 1)[-1]] += 1
            return None
        return answer

    async def create(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        while True:  # the same key: a repeat meets the same escalation
            answer = await self._post("/v1/escalations", body,
                                      self._auth(IM) | {"Idempotency-Key": key})
            if answer is not None:
                assert answer.status_code in (200, 201), answer.text
                view: dict[str, Any] = answer.json()
                return view
            await asyncio.sleep(0.5)

    async def get(self, escalation_id: str) -> dict[str, Any]:
        while True:
            answer = await self.http.get(f"/v1/escalations/{escalation_id}",
                                         headers=self._auth(IM))
            if answer.status_code not in IN_DOUBT:
                assert answer.status_code == 200, answer.text
                view: dict[str, Any] = answer.json()
                return view
            await asyncio.sleep(0.5)

    async def act(self, escalation_id: str, path: str, body: dict[str, Any], role: Role,
                  version: int, *, settling: bool) -> tuple[dict[str, Any], bool]:
        """The action at `version`, and whether it was found applied by reading.

        Once an answer is lost, the escalation says if the action applied: no timer fires
        during these steps, so only the action moves the version. A version read that way may
        be taken while the workflow is still inside that action (the confirmation of customer
        access goes on to open the RCA task), so the next action (`settling`) meets a 409 for
        a short while: it reads the version again and repeats."""
        lost = False
        patience = asyncio.get_running_loop().time() + SETTLE_SECONDS
        while True:
            answer = await self._post(f"/v1/escalations/{escalation_id}/{path}", body,
                                      self._auth(role) | {"If-Match": str(version)})
            if answer is not None and settling and answer.status_code == 409 \
                    and asyncio.get_running_loop().time() < patience:
                await asyncio.sleep(0.5)
                version = (await self.get(escalation_id))["version"]
                continue
            # After a lost answer, a refusal (412 stale version, 409 stage moved on) can mean
            # the lost attempt reached the workflow after all: the version read below says so.
            if answer is not None and not (lost and answer.status_code in (409, 412)):
                assert answer.status_code == 200, (escalation_id, path, answer.text)
                view: dict[str, Any] = answer.json()
                return view, False
            lost = True
            current = await self.get(escalation_id)
            if current["version"] > version:
                return current, True
            await asyncio.sleep(0.5)


def both_timers_fired(view: dict[str, Any]) -> bool:
    sla = view["sla"]
    return bool(sla["acknowledge"] == "breached" and sla["notice"] == "breached")


@dataclass
class Progress:
    closed: list[str] = field(default_factory=list)
    third: asyncio.Event = field(default_factory=asyncio.Event)  # KILL_AFTER closed

    def close(self, escalation_id: str) -> None:
        self.closed.append(escalation_id)
        if len(self.closed) >= KILL_AFTER:
            self.third.set()


async def lifecycle(client: CarefulClient, receiver: HttpReceiver, run: str, n: int,
                    progress: Progress) -> dict[str, Any]:
    """Escalation `n` from creation to closed; returns the closed view."""
    created = await client.create(p3_body(receiver, f"double charge #{n}"), f"{run}-{n}")
    escalation_id = created["id"]
    # The two timers fire on whichever worker holds the workflow; a reader polls for them
    # once a second, as a dashboard would.
    view = await until(lambda: client.get(escalation_id), both_timers_fired, within=180,
                       every=1.0, what=f"{escalation_id}: acknowledge and notice timers")
    settling = False
    for path, body, role in STEPS:
        view, settling = await client.act(escalation_id, path, body, role, view["version"],
                                          settling=settling)
    if settling:  # the last action was found applied mid-way: wait for its end
        view = await until(lambda: client.get(escalation_id), lambda v: v["status"] == "closed",
                           within=SETTLE_SECONDS, what=f"{escalation_id} to close")
    progress.close(escalation_id)
    return view


async def served_v1(api: ApiProcess) -> int:
    """/v1/ requests an API says it answered (its own /metrics, not through the proxy)."""
    async with httpx.AsyncClient(base_url=api.base_url, trust_env=False, timeout=30) as http:
        text = (await http.get("/metrics")).text
    return sum(int(sample.value) for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == "escalations_http_requests_total"
               and sample.labels["route"].startswith("/v1/"))


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


def migrate(database_url: str, directory: Path) -> str:
    """`escalations migrate`, the one-shot job of compose and the k8s Job."""
    done = subprocess.run([str(BIN / "escalations"), "migrate"], capture_output=True, text=True,
                          env=child_env(DATABASE_URL=database_url,
                                        ESCALATIONS_DATA_DIR=str(directory)),
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def kill_midway(progress: Progress, worker: WorkerProcess, api: ApiProcess,
                      served_before: list[int]) -> None:
    """SIGKILL one worker and one API once KILL_AFTER escalations closed."""
    await progress.third.wait()
    served_before.append(await served_v1(api))
    worker.kill()
    api.kill()


async def test_three_workers_and_two_apis_behind_the_proxy_close_200_escalations_once_each(
    tmp_path: Path, empty_database: str,
) -> None:
    database_url = empty_database
    watch = Stopwatch()
    queue = f"scale-{uuid.uuid4()}"
    run = uuid.uuid4().hex[:8]
    assert "migrated from (empty)" in migrate(database_url, tmp_path)
    assert "already at" in migrate(database_url, tmp_path)  # a second run changes nothing
    watch.lap("escalations migrate, twice")
    async with HttpReceiver() as receiver, DevServer(tmp_path, extra_args=WAL) as server:
        policy = write_policy_file(tmp_path / "policy.toml", loopback_policy(
            receiver.url(""), notice_within=NOTICE_WITHIN, P3=P3))
        tokens = write_keys(tmp_path / "api-keys.toml")
        workers = [WorkerProcess(tmp_path, server.address, task_queue=queue,
                                 database_url=database_url, name=f"worker-{i}",
                                 ESCALATIONS_POLICY=str(policy),
                                 ESCALATIONS_MIGRATE_ON_START="false")
                   for i in range(1, WORKERS + 1)]
        apis = [ApiProcess(tmp_path, server.address, task_queue=queue,
                           database_url=database_url, keys_file=tmp_path / "api-keys.toml",
                           policy_file=policy, name=f"api-{i}",
                           # Two cores run everything here: wait on Temporal rather than
                           # answer 503, since an action is not safe to repeat blindly.
                           TEMPORAL_RPC_TIMEOUT_SECONDS="60",
                           ESCALATIONS_MIGRATE_ON_START="false")
                for i in range(1, APIS + 1)]
        store = StoreReader(database_url)
        progress = Progress()
        served_before_kill: list[int] = []
        try:
            await asyncio.gather(*(p.start() for p in [*workers, *apis]))
            watch.lap(f"{WORKERS} workers and {APIS} APIs up on the migrated database")
            async with NginxProxy(tmp_path, [api.port for api in apis]) as proxy, \
                    httpx.AsyncClient(base_url=proxy.base_url, trust_env=False,
                                      timeout=120.0) as http:
                client = CarefulClient(http, tokens)
                killer = asyncio.create_task(
                    kill_midway(progress, workers[-1], apis[-1], served_before_kill))
                closed = await gather_limited(CLIENTS, (lifecycle(client, receiver, run, n,
                                                                  progress)
                                                        for n in range(ESCALATIONS)))
                await killer
                watch.lap(f"{len(closed)} escalations closed through the proxy, "
                          f"worker-{WORKERS} and api-{APIS} killed after {KILL_AFTER}")
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
                        lambda n: n >= ESCALATIONS * sum(EXPECTED.values()), within=90,
                        what="every notification")
            served_by_survivor = await served_v1(apis[0])
            timelines = await store.read_timelines(ids)
            projections = await asyncio.to_thread(store.projections, ids)
            watch.lap("histories, store and deliveries read")
        finally:
            for process in [*apis, *workers]:
                process.child.close()
            store.close()

    worker_ids = {identity(w) for w in workers}
    workflow_tasks = sum((h.workflow_tasks for h in histories.values()), Counter[str]())
    activities = sum((h.activities for h in histories.values()), Counter[str]())
    print(f"workflow tasks by worker: {dict(workflow_tasks)}; activities by worker: "
          f"{dict(activities)}; /v1 requests: api-1 {served_by_survivor}, api-{APIS} "
          f"{served_before_kill} before its kill; answers lost in transit: "
          f"{dict(client.in_doubt)}; deliveries repeated under their key: "
          f"{len(receiver.duplicates())}")

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
    # Every notification as expected per escalation, after dedupe by Idempotency-Key. A
    # delivery the killed worker had sent but not reported is sent again under its key (at
    # least once): at most one per activity it was running.
    assert len(receiver.duplicates()) <= ACTIVITY_SLOTS
    delivered = deliveries_by_escalation(receiver)
    assert set(delivered) == set(ids)
    assert {i: c for i, c in delivered.items() if c != EXPECTED} == {}
    # The proxy spread the work over both APIs; all three workers did real work, nobody else.
    assert served_before_kill[0] > 0
    assert served_by_survivor > 0
    assert set(workflow_tasks) == worker_ids
    assert set(activities) == worker_ids
