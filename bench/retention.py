"""How much of a command's payload a worker keeps while the workflow stays open.

`python -m bench.retention 100 20000` parks 500 workflows per size, each after one activity
whose input is that many bytes, in an in-process worker on a fresh dev server, and prints the
worker's RSS growth per parked workflow. The difference between two sizes is what the worker
holds of an activity input for the life of the run (docs/benchmarks.md, "Where the rest of the
gap is"). Unsandboxed, so the workflow can live in this module: the question is the SDK core's
memory, not the sandbox's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import uuid
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from bench.procs import BIN

PARKED = 500
WARMUP = 50
QUEUE = "retention"


@activity.defn(name="sink")
async def sink(data: str) -> None:
    del data


@workflow.defn(name="Parked")
class Parked:
    def __init__(self) -> None:
        self._opened = False

    @workflow.run
    async def run(self, size: int) -> None:
        del size
        await workflow.wait_condition(lambda: self._opened)
        await workflow.sleep(timedelta(days=2))

    @workflow.update
    async def opened(self, size: int) -> str:
        await workflow.execute_activity("sink", "x" * size,
                                        start_to_close_timeout=timedelta(seconds=30))
        self._opened = True
        return "parked"


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


async def _open(client: Client, size: int) -> None:
    start = WithStartWorkflowOperation(
        Parked.run, size, id=f"parked-{uuid.uuid4().hex}", task_queue=QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    await client.execute_update_with_start_workflow(Parked.opened, size,
                                                    start_workflow_operation=start)


async def per_parked(size: int) -> float:
    """KiB of RSS per parked workflow whose activity input was `size` bytes."""
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(BIN / "temporal"))
    async with env, Worker(env.client, task_queue=QUEUE, workflows=[Parked],
                           activities=[sink], max_cached_workflows=PARKED + WARMUP + 100,
                           workflow_runner=UnsandboxedWorkflowRunner()):
        for _ in range(WARMUP):
            await _open(env.client, size)
        gc.collect()
        before = rss_bytes()
        gate = asyncio.Semaphore(10)

        async def one() -> None:
            async with gate:
                await _open(env.client, size)

        await asyncio.gather(*(one() for _ in range(PARKED)))
        gc.collect()
        return (rss_bytes() - before) / PARKED / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int, help="activity input sizes, bytes")
    for size in parser.parse_args().sizes:
        print(f"activity input {size:>7,} B: {asyncio.run(per_parked(size)):6.1f} KiB RSS "
              f"per parked workflow ({PARKED} parked)")


if __name__ == "__main__":
    main()
