"""The worker process (`escalations worker`): one client, one worker, until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from config.settings import Settings
from config.temporal import connect
from worker.build import create_worker

log = logging.getLogger(__name__)


async def run(settings: Settings) -> None:
    runtime = None
    if settings.worker_metrics_port:
        # The SDK's own metrics (task latencies, poll counts, cache size) on a Prometheus endpoint.
        runtime = Runtime(telemetry=TelemetryConfig(
            metrics=PrometheusConfig(bind_address=f"127.0.0.1:{settings.worker_metrics_port}")))
    client = await connect(settings, runtime=runtime)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with create_worker(client, settings):
        log.info("worker polling task queue %r on %s", settings.temporal_task_queue,
                 settings.temporal_address)
        await stop.wait()


def main(settings: Settings) -> None:
    asyncio.run(run(settings))
