"""A long-lived escalation: 2,000 status updates, on a dev server told to suggest
continue-as-new early (limit.historyCount.suggestContinueAsNew), so the workflow hands its state
over to new runs many times while callers keep acting on it and querying it.

What must survive every hand-over: version and timeline sequence (gapless, every update there
once), SLA outcomes and deadlines, the action plan with all its versions, and the timers (each
fires once, at its deadline, whichever run is current). No run's history may grow much past the
suggested limit.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from api.services.temporal import workflow_not_ready
from config.settings import Settings
from domain.enums import SlaOutcome, TimelineType
from domain.models import (
    ActionPlanInput,
    EscalationView,
    NoticeInput,
    StatusUpdateInput,
    TimelineEntry,
)
from store import queries
from store.engine import create_engine_for, session_factory
from tests.support.escalations import ENGINEER, IM, open_escalation
from tests.support.policies import loopback_policy
from tests.support.receivers import HttpReceiver
from tests.support.temporal import binary, search_attribute_keys
from tests.support.waiting import until
from worker.build import create_worker
from workflows.escalation import EscalationWorkflow

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

SUGGEST_AT = 400  # history events at which the server suggests continue-as-new
# "Not by much": what one workflow task can add after the suggestion was first seen (the
# updates already admitted and their activities), with room for a slow machine.
OVERSHOOT = 1.5
UPDATES = 2_000
PLAN_EVERY = 250  # a new action plan version every this many status updates
# Timers that come due while the updates stream in (P3, overridden; nobody acknowledges).
SLA = {"acknowledge_within": "PT15S", "engage_more_after": "PT30S", "resolve_within": "PT60S",
       "warn_at": 0.75, "update_every": "PT1H", "rca_required": False}
TIMERS = ["acknowledge", "engage_more", "resolve_warning", "resolve"]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def suggesting_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"),
        search_attributes=search_attribute_keys(),
        data_converter=pydantic_data_converter,
        dev_server_extra_args=["--dynamic-config-value",
                               f"limit.historyCount.suggestContinueAsNew={SUGGEST_AT}"],
    )
    yield env
    await env.shutdown()


# The rejection the workflow's validators are to give while a hand-over drains (requested in
# issue #7's report: workflows/escalation.py, domain/errors.py); callers retry it.
HANDING_OVER = "handing_over"


class HistoryRanAway(AssertionError):
    """A run's history passed the suggested limit by much without continuing as new."""


@dataclass
class Traffic:
    views: list[EscalationView] = field(default_factory=list)
    queries: int = 0
    query_failures: list[str] = field(default_factory=list)
    call_timeouts: int = 0
    handover_retries: int = 0
    longest_run: int = 0  # most history events seen on one run while the updates ran


async def post_updates(client: Client, escalation_id: str, numbers: range,
                       traffic: Traffic) -> None:
    handle = client.get_workflow_handle_for(EscalationWorkflow.run, escalation_id)
    for n in numbers:
        update_id = f"status-{n}"
        if n % PLAN_EVERY == 0:
            await _update(traffic, lambda n=n: handle.execute_update(
                EscalationWorkflow.set_action_plan,
                ActionPlanInput(actor=ENGINEER, steps=[{"description": f"step {n}"}],
                                note=f"plan at update {n}"), id=f"plan-{n}"))
        await _update(traffic, lambda n=n, update_id=update_id: handle.execute_update(
            EscalationWorkflow.post_status_update,
            StatusUpdateInput(actor=ENGINEER, message=f"update {n}"), id=update_id))


async def _update(traffic: Traffic, call: Any) -> None:
    # Update ids are fixed: a call that timed out on a busy machine is retried and still
    # runs once. A hand-over rejection wrote nothing: the next run takes the retry.
    for _ in range(50):
        try:
            traffic.views.append(await call())
            return
        except RPCError as error:
            # A workflow task failed before it accepted the update (say it completed just as an
            # activity's completion arrived): nothing was written, the same id is retried.
            if not workflow_not_ready(error):
                raise
            traffic.call_timeouts += 1
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # The SDK reports our own cancellation this way too: let it stay one.
                raise asyncio.CancelledError from None
            traffic.call_timeouts += 1
        except WorkflowUpdateFailedError as failure:
            cause = failure.cause
            if not (isinstance(cause, ApplicationError) and cause.type == HANDING_OVER):
                raise
            traffic.handover_retries += 1
            await asyncio.sleep(0.1)  # the new run is a workflow task away
    raise AssertionError("an update was not taken after 50 tries")


async def watch_history(client: Client, escalation_id: str, traffic: Traffic,
                        stop: asyncio.Event) -> None:
    """Fail at once when the current run's history runs away (rather than at the server's
    2,000-update limit minutes later)."""
    handle = client.get_workflow_handle(escalation_id)
    while not stop.is_set():
        length = (await handle.describe()).raw_description.workflow_execution_info.history_length
        traffic.longest_run = max(traffic.longest_run, length)
        if length > SUGGEST_AT * OVERSHOOT:
            raise HistoryRanAway(f"a run reached {length} history events without continuing "
                                 f"as new (suggested at {SUGGEST_AT})")
        await asyncio.sleep(0.5)  # a dashboard's refresh


async def keep_querying(client: Client, escalation_id: str, traffic: Traffic,
                        stop: asyncio.Event) -> None:
    handle = client.get_workflow_handle_for(EscalationWorkflow.run, escalation_id)
    while not stop.is_set():
        try:
            await handle.query(EscalationWorkflow.state)
            traffic.queries += 1
        except Exception as error:  # counted and asserted on: none may fail
            traffic.query_failures.append(repr(error))
        await asyncio.sleep(0.5)  # a reader refreshing its page


async def run_chain(client: Client, escalation_id: str, first_run: str
                    ) -> list[tuple[str, int]]:
    """(run id, history length) for every run, following each continue-as-new."""
    chain = []
    run_id: str | None = first_run
    while run_id:
        history = await client.get_workflow_handle(escalation_id, run_id=run_id).fetch_history()
        chain.append((run_id, len(history.events)))
        last = history.events[-1]
        run_id = (last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
                  if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
                  else None)
    return chain


def fired(entries: list[TimelineEntry]) -> list[tuple[str, TimelineEntry]]:
    out = []
    for entry in entries:
        if entry.type is TimelineType.SLA_BREACHED:
            out.append((str(entry.details["sla"]), entry))
        elif entry.type is TimelineType.SLA_WARNING:
            out.append(("resolve_warning", entry))
        elif (entry.type is TimelineType.ESCALATED and entry.details.get("type") == "automatic"
              and "engaging more parties" in entry.details.get("reason", "")):
            out.append(("engage_more", entry))
    return out


@pytest.mark.parametrize("callers", [pytest.param(4, id="four-concurrent-callers")])
async def test_two_thousand_updates_continue_as_new_with_state_and_timers_intact(
    suggesting_env: WorkflowEnvironment, tmp_path: Path, callers: int,
) -> None:
    started = time.monotonic()
    client = suggesting_env.client
    # SQLite only, not both backends (tests/integration/conftest.py): this test is about
    # continue-as-new and Temporal's history (~200 s); a PostgreSQL run would repeat it to add
    # only what the store tests (idempotent appends on both backends) and the scale-out test
    # (200 lifecycles from three workers into one PostgreSQL database) already prove.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}",
                        temporal_task_queue=f"long-{uuid.uuid4()}")
    engine = create_engine_for(settings.resolved_database_url)
    sessions = session_factory(engine)
    traffic = Traffic()
    async with HttpReceiver() as receiver, create_worker(client, settings):
        policy = loopback_policy(receiver.url(""), P3=SLA)
        handle, opened = await open_escalation(
            client, task_queue=settings.temporal_task_queue, policy=policy,
            body={"title": "Checkout failing for some cards", "category": "question",
                  "priority": "P3",
                  # Status updates go to someone (issue 20: an audience nobody can reach is
                  # refused), so every one of them is also a delivery in the history.
                  "stakeholders": [{"name": "exec", "channel": "webhook",
                                    "address": receiver.url("/exec")}]})
        try:
            first_run = (await handle.describe()).run_id
            assert first_run is not None
            created = opened.escalation
            await handle.execute_update("send_notice",
                                        NoticeInput(actor=IM, audiences=["internal"]))
            stop = asyncio.Event()
            share = UPDATES // callers
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(keep_querying(client, handle.id, traffic, stop))
                    group.create_task(watch_history(client, handle.id, traffic, stop))
                    updates = [group.create_task(post_updates(
                        client, handle.id, range(c * share, (c + 1) * share), traffic))
                        for c in range(callers)]
                    await asyncio.gather(*updates)
                    updates_done = time.monotonic()
                    stop.set()
            except* HistoryRanAway as runaway:
                raise runaway.exceptions[0] from None
            final = await until(lambda: handle.query(EscalationWorkflow.state),
                                lambda v: v.sla.resolve is SlaOutcome.BREACHED, within=180,
                                what="the resolve deadline to fire")
            await until(lambda: handle.query(EscalationWorkflow.pending_deliveries),
                        lambda pending: not pending, within=120, what="deliveries to finish")
            # The breach is in the state before its store write finishes: wait for the write.
            timeline = await until(lambda: asyncio.to_thread(_timeline, sessions, handle.id),
                                   lambda t: "resolve" in {name for name, _ in fired(t)},
                                   within=120, what="the store to record the breach")
            chain = await run_chain(client, handle.id, first_run)
        finally:
            await handle.terminate("test finished")
            engine.dispose()

    total = time.monotonic() - started
    print(f"{UPDATES} updates in {updates_done - started:.1f} s ({total:.1f} s in all); "
          f"{len(chain)} runs, history lengths {[n for _, n in chain]}; "
          f"{traffic.queries} queries answered; {traffic.call_timeouts} update calls retried "
          f"after timeouts, {traffic.handover_retries} after a hand-over rejection")
    # Every caller's updates were applied, once each, in one gapless sequence.
    kinds = Counter(e.type for e in timeline)
    assert kinds[TimelineType.STATUS_UPDATE] == UPDATES
    assert sorted(e.details["message"] for e in timeline
                  if e.type is TimelineType.STATUS_UPDATE) == sorted(
        f"update {n}" for n in range(UPDATES))
    assert [e.seq for e in timeline] == list(range(1, len(timeline) + 1))
    versions = [v.version for v in traffic.views]
    assert len(set(versions)) == len(versions), "two updates answered with one version"
    # The hand-over happened, many times, and no run's history ran away.
    assert len(chain) > 1
    assert max(n for _, n in chain) <= SUGGEST_AT * OVERSHOOT
    # State intact across every hand-over.
    assert final.created_at == created.created_at
    assert final.deadlines.model_dump(exclude={"next_update_due"}) == (
        created.deadlines.model_dump(exclude={"next_update_due"}))
    assert final.action_plan is not None
    plans = UPDATES // PLAN_EVERY
    history = final.action_plan.history
    assert [v.version for v in history] == list(range(1, plans + 1))
    assert {v.note for v in history} == {f"plan at update {n}"
                                         for n in range(0, UPDATES, PLAN_EVERY)}
    assert final.action_plan.version == plans
    assert (final.sla.notice, final.sla.acknowledge, final.sla.resolve) == (
        SlaOutcome.MET, SlaOutcome.BREACHED, SlaOutcome.BREACHED)
    # Each timer fired once, at (never before) the deadline set at creation.
    timers = fired(timeline)
    assert Counter(name for name, _ in timers) == Counter(dict.fromkeys(TIMERS, 1))
    deadlines = created.deadlines
    due = {"acknowledge": deadlines.acknowledge_due, "engage_more": deadlines.engage_more_due,
           "resolve_warning": deadlines.resolve_warning_due, "resolve": deadlines.resolve_due}
    for name, entry in timers:
        deadline = due[name]
        assert deadline is not None
        assert entry.at >= deadline, (name, entry.at, deadline)
    assert traffic.query_failures == []
    assert traffic.queries > 0


def _timeline(sessions: Any, escalation_id: str) -> list[TimelineEntry]:
    with sessions() as session, session.begin():
        return queries.get_timeline(session, escalation_id)
