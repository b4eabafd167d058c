"""The bare baselines' worker process, built like ours (sandbox, pydantic converter, activity
slots) with nothing of ours in it, unless asked for our sandbox runner (`--runner ours`, which
also brings worker/retention.py's interceptor: our SDK plumbing, without our layers)."""

from __future__ import annotations

import argparse
import asyncio
import signal

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Interceptor, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from bench.bare_activities import bare_deliver, bare_record
from bench.bare_workflows import BareHoldWorkflow, BareLifecycleWorkflow
from bench.options import BARE_RUNNERS

# worker/build.py's ACTIVITY_SLOTS, so both workers may run as many activities at once.
ACTIVITY_SLOTS = 32
RESTRICTIONS = SandboxRestrictions.default.with_passthrough_modules("bench.bare_models")


def sandbox(runner: str) -> WorkflowRunner:
    """The SDK's own sandbox runner, or ours (worker/sandbox.py: the same sandbox, with
    serialization contexts looked up without re-entering it)."""
    if runner == "ours":
        from worker.sandbox import EscalationSandboxRunner

        return EscalationSandboxRunner(restrictions=RESTRICTIONS)
    return SandboxedWorkflowRunner(restrictions=RESTRICTIONS)


async def run(address: str, task_queue: str, max_cached: int | None, runner: str) -> None:
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    extra = {} if max_cached is None else {"max_cached_workflows": max_cached}
    interceptors: list[Interceptor] = []
    if runner == "ours":
        from worker.retention import DetachedRunInput

        interceptors.append(DetachedRunInput())
    worker = Worker(
        client, task_queue=task_queue,
        workflows=[BareLifecycleWorkflow, BareHoldWorkflow],
        activities=[bare_record, bare_deliver],
        max_concurrent_activities=ACTIVITY_SLOTS,
        workflow_runner=sandbox(runner),
        interceptors=interceptors,
        **extra,  # type: ignore[arg-type]
    )
    async with worker:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--max-cached-workflows", type=int, default=None)
    parser.add_argument("--runner", choices=BARE_RUNNERS, default="sdk")
    args = parser.parse_args()
    asyncio.run(run(args.address, args.task_queue, args.max_cached_workflows, args.runner))


if __name__ == "__main__":
    main()
