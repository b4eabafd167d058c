"""The worker process (`escalations worker`): one client, one worker, until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import signal

import structlog
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from config.logging import configure_logging
from config.policy_files import load_policy
from config.settings import Settings
from config.temporal import connect
from config.tracing import configure_tracing
from worker.build import create_worker

log = structlog.get_logger(__name__)


def _runtime(settings: Settings) -> Runtime | None:
    if not settings.worker_metrics_port:
        return None
    # The SDK's own metrics (task latencies, polls, cache size) on a Prometheus endpoint.
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(
        bind_address=f"{settings.worker_metrics_host}:{settings.worker_metrics_port}")))


async def run(settings: Settings) -> None:
    configure_tracing(settings, service_name="escalations-worker")
    client = await connect(settings, runtime=_runtime(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with create_worker(client, settings):
        log.info("worker started", task_queue=settings.temporal_task_queue,
                 temporal=settings.temporal_address, namespace=settings.temporal_namespace)
        await stop.wait()
        log.info("worker stopping")


def main(settings: Settings) -> None:
    configure_logging()
    # The worker does not use the policy (each escalation carries its snapshot), but an
    # invalid file must stop the deployment at once rather than at the next creation.
    load_policy(settings.escalations_policy)
    asyncio.run(run(settings))
