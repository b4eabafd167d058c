"""The Temporal dev server stopped (SIGTERM) while escalations wait on their timers, and started
again on the same SQLite file and port: the escalations resume where they were, and the timers
that came due while it was down fire once each, on its return.

The worker process keeps running throughout (its polls fail and retry), as a real deployment's
workers would while the cluster restarts.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.client import Client

from domain.enums import Status, TimelineType
from domain.models import CancelInput, EscalationSummary, TimelineEntry
from tests.faults.conftest import (
    count,
    fault_policy,
    open_retrying,
    update_retrying,
    wall_clock,
)
from tests.support.escalations import IM
from tests.support.lifecycles import (
    Stopwatch,
    StoreReader,
    gather_limited,
    p3_body,
    timeline_problems,
)
from tests.support.processes import DevServer, WorkerProcess
from tests.support.receivers import HttpReceiver
from tests.support.waiting import until
from workflows.escalation import EscalationWorkflow

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

ESCALATIONS = 20
CLIENTS = 5
# Per escalation: intake; acknowledge breach (escalated to the team lead); notice breach
# (automatic notice to stakeholder and customer, escalated at team-lead level); the cancel
# (stakeholders and the front line are told).
EXPECTED = Counter({
    ("new_escalation", "/support/agent"): 1,
    ("escalated", "/support/team_lead"): 2,
    ("notice", "/stakeholder"): 1,
    ("notice", "/customer"): 1,
    ("cancelled", "/stakeholder"): 1,
    ("cancelled", "/support/agent"): 1,
})


def fired_at(entries: list[TimelineEntry], sla: str) -> list[datetime]:
    return [e.at for e in entries
            if e.type is TimelineType.SLA_BREACHED and e.details["sla"] == sla]


async def test_timers_due_while_the_server_was_down_fire_once_on_its_return(
    tmp_path: Path, dev_server: DevServer, temporal: Client, http_receiver: HttpReceiver,
    sqlite_store: tuple[str, StoreReader],
) -> None:
    watch = Stopwatch()
    url, store = sqlite_store
    queue = f"faults-{uuid.uuid4()}"
    # Clocks long enough that 20 escalations open before any fires, even on a loaded machine.
    policy = fault_policy(http_receiver.url(""), notice_within="PT30S", acknowledge_within="PT20S",
                          resolve_within="PT1H", engage_more_after="PT1H", update_every="PT1H",
                          rca_required=False)
    worker = WorkerProcess(tmp_path, dev_server.address, task_queue=queue, database_url=url)
    try:
        await worker.start()
        opened = await gather_limited(CLIENTS, (
            open_retrying(temporal, task_queue=queue, policy=policy,
                          body=p3_body(http_receiver, f"outage #{n}"))
            for n in range(ESCALATIONS)))
        ids = [result.escalation.id for result in opened]
        dues = {r.escalation.id: r.escalation.deadlines for r in opened}
        last_notice = max(d.notice_due for d in dues.values() if d.notice_due)
        watch.lap(f"{ESCALATIONS} escalations open")

        assert await dev_server.stop() == 0
        stopped_at = datetime.now(UTC)
        at_stop = count("server stopped", store.timelines(ids), http_receiver)
        watch.lap("server stopped (SIGTERM)")
        await until(wall_clock, lambda now: now > last_notice, within=120,
                    what="every notice deadline to pass")
        assert count("server down, deadlines passed", store.timelines(ids),
                     http_receiver) == at_stop
        assert worker.child.running, f"the worker gave up:\n{worker.child.output()}"

        restarted_at = datetime.now(UTC)
        await dev_server.start()
        watch.lap("server started again on the same file")
        back = await until(lambda: store.read_timelines(ids),
                           lambda t: all(fired_at(t[i], "notice") for i in ids),
                           within=240, what="every overdue timer to fire")
        count("timers fired after the return", back, http_receiver)
        views = [await temporal.get_workflow_handle_for(EscalationWorkflow.run, i)
                 .query(EscalationWorkflow.state) for i in ids]
        summaries = await gather_limited(CLIENTS, (_cancel(temporal, i) for i in ids))
        watch.lap("cancelled")
    finally:
        worker.child.close()

    timelines = store.timelines(ids)
    final = count("cancelled", timelines, http_receiver)
    assert [s.status for s in summaries] == [Status.CANCELLED] * ESCALATIONS
    assert [v.status for v in views] == [Status.OPEN] * ESCALATIONS  # resumed, not lost
    assert [p for i in ids for p in timeline_problems(i, timelines[i])] == []
    assert final.timers_fired == {"acknowledge": ESCALATIONS, "notice": ESCALATIONS}
    due_while_down = fired_on_return = 0
    for escalation_id in ids:
        deadlines = dues[escalation_id]
        for sla, due in (("acknowledge", deadlines.acknowledge_due),
                         ("notice", deadlines.notice_due)):
            assert due is not None
            (at,) = fired_at(timelines[escalation_id], sla)
            assert at >= due
            fired_on_return += at >= restarted_at
            if due > stopped_at:
                due_while_down += 1
                assert at >= restarted_at, f"{escalation_id} {sla} fired while the server was down"
    fired_before_stop = sum(at_stop.timers_fired.values())
    print(f"timers: {due_while_down} of {2 * ESCALATIONS} came due while the server was down; "
          f"{fired_before_stop} fired before the stop, {fired_on_return} on its return")
    assert due_while_down > 0, "no deadline fell into the outage: nothing was tested"
    assert fired_before_stop + fired_on_return == 2 * ESCALATIONS
    delivered: dict[str, Counter[tuple[str, str]]] = {}
    for request in http_receiver.delivered():
        body = request.json()
        delivered.setdefault(body["escalation_id"], Counter())[(body["event"], request.path)] += 1
    assert {i: c for i, c in delivered.items() if c != EXPECTED} == {}
    assert final.deliveries_unique == final.deliveries_raw == sum(EXPECTED.values()) * ESCALATIONS


async def _cancel(client: Client, escalation_id: str) -> EscalationSummary:
    await update_retrying(client, escalation_id, EscalationWorkflow.cancel,
                          CancelInput(actor=IM, reason="done"), step="cancel")
    return await client.get_workflow_handle_for(EscalationWorkflow.run, escalation_id).result()
