"""Build the worker: the workflow, every activity with its dependencies, the sandbox settings."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from temporalio.client import Client
from temporalio.worker import Interceptor, Worker

from activities.channels.config import NotifyConfig
from activities.channels.http import new_http_client
from activities.intake import IntakeActivities
from activities.log_context import ActivityLogContext
from activities.merging import MergeActivities
from activities.metrics import DomainMetrics
from activities.notify import NotifyActivities
from activities.records.activities import RecordActivities
from activities.store import StoreActivities
from config.settings import Settings
from config.tracing import traced_runner
from store.engine import create_engine_for, session_factory
from store.revision import prepare_schema
from worker import runner
from workflows.escalation import EscalationWorkflow
from workflows.spike_watch import SpikeWatchWorkflow

# Store activities are sync and run on this pool; the pool must be as wide as the number of
# activities the worker may run at once.
ACTIVITY_SLOTS = 32


@asynccontextmanager
async def create_worker(
    client: Client, settings: Settings, *, task_queue: str | None = None, migrate: bool = True,
    interceptors: Sequence[Interceptor] = (), environ: Mapping[str, str] | None = None,
) -> AsyncIterator[Worker]:
    """A running worker for the lifetime of the context (shut down gracefully on exit).

    `interceptors` come after ours (tracing, or a test that watches the workflow). The
    workflow runner is worker/runner.py's choice for this temporalio and these settings.
    `environ` holds the related systems' credentials, read by name at each call (default: the
    process environment, live)."""
    url = settings.resolved_database_url
    if migrate:
        prepare_schema(url, upgrade=settings.escalations_migrate_on_start)
    engine = create_engine_for(url)
    sessions = session_factory(engine)
    metrics = DomainMetrics.of_client(client)
    store = StoreActivities(sessions, metrics)
    intake = IntakeActivities(sessions, client)
    merging = MergeActivities(client)
    choice = runner.choose_runner(settings)
    executor = ThreadPoolExecutor(max_workers=ACTIVITY_SLOTS, thread_name_prefix="activity")
    try:
        async with new_http_client() as http:
            config = NotifyConfig.from_settings(settings)
            notify = NotifyActivities(http, sessions, config, metrics)
            records = RecordActivities(http, config, os.environ if environ is None else environ)
            worker = Worker(
                client,
                task_queue=task_queue or settings.temporal_task_queue,
                workflows=[EscalationWorkflow, SpikeWatchWorkflow],
                activities=[
                    store.record_escalation,
                    store.count_prior_escalations,
                    store.close_related_records,
                    notify.deliver_notification,
                    records.link_related_record,
                    records.close_related_record,
                    records.open_problem_record,
                    intake.measure_spike,
                    intake.record_spike,
                    intake.attach_posts,
                    merging.absorb_duplicate,
                ],
                activity_executor=executor,
                max_concurrent_activities=ACTIVITY_SLOTS,
                # Python runs workflow code on one thread: after a restart, replaying a hundred
                # workflows at once made each task take longer than its 10 s timeout.
                max_concurrent_workflow_tasks=10,
                workflow_runner=traced_runner(choice.runner, settings),
                interceptors=[ActivityLogContext(), *choice.interceptors, *interceptors],
            )
            async with worker:
                yield worker
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        engine.dispose()
