"""The worker process SIGKILLed while it is closing related records in their systems.

Three escalations each name one record in PagerDuty, Jira, ServiceNow and the record webhook.
Each system applies the close it is sent and then keeps its answer back (as if the connection
died with the worker), so the kill lands at the worst moment: every close done there, none of
them known to the worker. After the restart, the retried activities must see their own close
and report `closed`, and the systems must count every close, link comment and close note once.
The worker's own log must not hold a credential it read from its environment.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from domain.enums import Audience
from domain.models import (
    ActionPlanInput,
    CustomerAccessInput,
    NoticeInput,
    ResolutionInput,
    VerificationInput,
)
from tests.faults.conftest import open_retrying, update_retrying
from tests.support.escalations import ENGINEER, IM, LEAD
from tests.support.lifecycles import Stopwatch, StoreReader, gather_limited
from tests.support.policies import loopback_policy
from tests.support.processes import DevServer, WorkerProcess
from tests.support.receivers import HttpReceiver
from tests.support.related_systems import SECRETS, RelatedSystems, linked_and_closed_once
from tests.support.waiting import until
from workflows.escalation import EscalationWorkflow

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

ESCALATIONS = 3
PD = [f"P{n}KILL{n}" for n in range(ESCALATIONS)]
JIRA = [f"OPS-{10 + n}" for n in range(ESCALATIONS)]
SNOW = [f"INC00200{n}" for n in range(ESCALATIONS)]
HOOK = [f"TRK-{20 + n}" for n in range(ESCALATIONS)]
# The request that closes, per system: applied, then never answered (until after the kill).
CLOSING = {"pagerduty": ("PUT", r"^/incidents/"), "jira": ("POST", r"/transitions$"),
           "servicenow": ("PATCH", r"^/api/now/table/incident/"),
           "webhook": ("POST", r"^/hooks/records$")}


def worker_logs(directory: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(directory.glob("worker.*.log")))


def body(n: int, receiver: HttpReceiver) -> dict[str, Any]:
    """With a stakeholder: the notice on the way to close needs someone to reach (issue 20)."""
    return {"title": f"Checkout down #{n}", "category": "question", "priority": "P4",
            "related_records": [f"PD-{PD[n]}", JIRA[n], SNOW[n], HOOK[n]],
            "stakeholders": [{"name": "exec", "channel": "webhook",
                              "address": receiver.url("/stakeholder")}]}


async def to_confirmed(client: Client, escalation_id: str) -> None:
    for step, update, command in (
        ("notice", EscalationWorkflow.send_notice,
         NoticeInput(actor=IM, audiences=[Audience.INTERNAL])),
        ("plan", EscalationWorkflow.set_action_plan,
         ActionPlanInput(actor=ENGINEER, steps=[{"description": "roll back"}])),
        ("declare", EscalationWorkflow.declare_resolution,
         ResolutionInput(actor=IM, summary="rolled back")),
        ("verify", EscalationWorkflow.verify_resolution,
         VerificationInput(actor=ENGINEER, verified=True)),
        ("confirm", EscalationWorkflow.confirm_customer_access,
         CustomerAccessInput(actor=LEAD, confirmed=True)),
    ):
        await update_retrying(client, escalation_id, update, command, step=step)


async def test_a_worker_killed_mid_close_closes_and_comments_each_record_once(
    tmp_path: Path, dev_server: DevServer, temporal: Client, http_receiver: HttpReceiver,
    sqlite_store: tuple[str, StoreReader],
) -> None:
    watch = Stopwatch()
    url, store = sqlite_store
    queue = f"faults-{uuid.uuid4()}"
    with RelatedSystems(incidents=dict.fromkeys(PD, "triggered"),
                        issues=dict.fromkeys(JIRA, "In Progress"),
                        snow_incidents=dict.fromkeys(SNOW, "2"),
                        webhook_records=dict.fromkeys(HOOK, "open")) as systems:
        servers = {"pagerduty": systems.pagerduty, "jira": systems.jira,
                   "servicenow": systems.servicenow, "webhook": systems.webhook}
        policy = systems.policy(loopback_policy(http_receiver.url("")), retry_for="PT5M",
                                problem_system=None)
        worker = WorkerProcess(tmp_path, dev_server.address, task_queue=queue,
                               database_url=url, **systems.env)
        try:
            await worker.start()
            opened = await gather_limited(ESCALATIONS, (
                open_retrying(temporal, task_queue=queue, policy=policy,
                              body=body(n, http_receiver))
                for n in range(ESCALATIONS)))
            ids = [o.escalation.id for o in opened]

            async def links() -> int:
                return sum((len(systems.pagerduty.effects_of("note")),
                            len(systems.jira.effects_of("comment")),
                            len(systems.servicenow.effects_of("work_note")),
                            len(systems.webhook.effects_of("link"))))

            await until(links, lambda made: made == ESCALATIONS * len(servers), within=120,
                        what="the start's links")
            for name, (method, path) in CLOSING.items():
                servers[name].hold(method, path, times=ESCALATIONS)
            watch.lap(f"{len(ids)} escalations open and linked; closes will be held")

            await gather_limited(ESCALATIONS, (to_confirmed(temporal, i) for i in ids))

            async def held() -> int:
                return sum(server.held() for server in servers.values())

            await until(held, lambda n: n == ESCALATIONS * len(servers), within=120,
                        what="every close applied and its answer held")
            worker.kill()
            for server in servers.values():
                server.release()
            watch.lap("worker killed with every close applied, none answered")

            await worker.start()
            for escalation_id in ids:
                await temporal.get_workflow_handle(escalation_id).result()
            watch.lap("worker restarted; every escalation completed")
        finally:
            worker.child.close()

        views = store.projections(ids)
        log = worker_logs(tmp_path)
        for n, escalation_id in enumerate(ids):
            view = views[escalation_id]
            assert view is not None
            assert {o.record: o.outcome.value for o in view.record_outcomes} == dict.fromkeys(
                body(n, http_receiver)["related_records"], "closed"), escalation_id
        assert systems.effects() == linked_and_closed_once(PD, JIRA, SNOW, HOOK)
        # Nor was a close request sent again where the record shows it: only the webhook is
        # sent again, under the same Idempotency-Key (its receiver acts once).
        assert len(systems.pagerduty.requests("PUT")) == ESCALATIONS
        assert len(systems.jira.requests("POST", "/transitions$")) == ESCALATIONS
        assert len(systems.servicenow.requests("PATCH")) == ESCALATIONS * 2  # link + close
        assert [s for s in SECRETS if s in log] == []
        watch.lap("checked")
