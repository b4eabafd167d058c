"""The bare baselines' worker process, built like ours (sandbox, pydantic converter, activity
slots) with nothing of ours in it."""

from __future__ import annotations

import argparse
import asyncio
import signal

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from bench.bare_activities import bare_deliver, bare_record
from bench.bare_workflows import BareHoldWorkflow, BareLifecycleWorkflow

# worker/build.py's ACTIVITY_SLOTS, so both workers may run as many activities at once.
ACTIVITY_SLOTS = 32
SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("bench.bare_models")
)


async def run(address: str, task_queue: str, max_cached: int | None) -> None:
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    extra = {} if max_cached is None else {"max_cached_workflows": max_cached}
    worker = Worker(
        client, task_queue=task_queue,
        workflows=[BareLifecycleWorkflow, BareHoldWorkflow],
        activities=[bare_record, bare_deliver],
        max_concurrent_activities=ACTIVITY_SLOTS,
        workflow_runner=SANDBOX,
        **extra,  # type: ignore[arg-type]
    )
    async with worker:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--max-cached-workflows", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(run(args.address, args.task_queue, args.max_cached_workflows))


if __name__ == "__main__":
    main()
