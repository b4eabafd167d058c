"""The bare baselines' worker process, built like ours (sandbox, pydantic converter, activity
slots) with nothing of ours in it, unless asked for our workflow runner (`--runner ours`:
worker/runner.py's choice with its interceptor, our SDK plumbing without our layers)."""

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
from config.settings import Settings
from worker.runner import choose_runner

# worker/build.py's ACTIVITY_SLOTS, so both workers may run as many activities at once.
ACTIVITY_SLOTS = 32
RESTRICTIONS = SandboxRestrictions.default.with_passthrough_modules("bench.bare_models")


def sandbox(runner: str) -> tuple[WorkflowRunner, list[Interceptor]]:
    """The SDK's own sandbox runner, or the one our worker gets (worker/runner.py: on a tested
    temporalio the same sandbox, with serialization contexts looked up without re-entering it
    and no views kept into a run's first activation), with its interceptors."""
    if runner == "ours":
        choice = choose_runner(Settings(escalations_worker_fast_runner=True),
                               restrictions=RESTRICTIONS)
        return choice.runner, list(choice.interceptors)
    return SandboxedWorkflowRunner(restrictions=RESTRICTIONS), []


async def run(address: str, task_queue: str, max_cached: int | None, runner: str) -> None:
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    extra = {} if max_cached is None else {"max_cached_workflows": max_cached}
    workflow_runner, interceptors = sandbox(runner)
    worker = Worker(
        client, task_queue=task_queue,
        workflows=[BareLifecycleWorkflow, BareHoldWorkflow],
        activities=[bare_record, bare_deliver],
        max_concurrent_activities=ACTIVITY_SLOTS,
        workflow_runner=workflow_runner,
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
