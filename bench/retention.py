"""How much of a payload a worker keeps while the workflow stays open.

`python -m bench.retention 100 20000` parks 500 workflows per size, each after one activity
whose input is that many bytes, in an in-process worker on a fresh dev server, and prints the
worker's RSS growth per parked workflow. The difference between two sizes is what the worker
holds of an activity input for the life of the run (docs/benchmarks.md, "Where the rest of the
gap is"). `--payload start` puts the bytes in the workflow's start input instead, `--payload
update` in the input of the update that opens it (the shapes stay the same: every workflow runs
the activity, with an empty input when it is not the one measured). Unsandboxed, so the
workflow can live in this module: the question is the SDK core's memory, not the sandbox's.
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
    async def run(self, data: str) -> None:
        del data
        await workflow.wait_condition(lambda: self._opened)
        await workflow.sleep(timedelta(days=2))

    @workflow.update
    async def opened(self, activity_size: int, data: str) -> str:
        del data
        await workflow.execute_activity("sink", "x" * activity_size,
                                        start_to_close_timeout=timedelta(seconds=30))
        self._opened = True
        return "parked"


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


PAYLOADS = ("activity", "start", "update")


async def _open(client: Client, size: int, payload: str) -> None:
    def sized(where: str) -> str:
        return "x" * size if payload == where else ""

    start = WithStartWorkflowOperation(
        Parked.run, sized("start"), id=f"parked-{uuid.uuid4().hex}", task_queue=QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    await client.execute_update_with_start_workflow(
        Parked.opened, args=[len(sized("activity")), sized("update")],
        start_workflow_operation=start)


async def per_parked(size: int, payload: str = "activity") -> float:
    """KiB of RSS per parked workflow whose `payload` (one of PAYLOADS) was `size` bytes."""
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(BIN / "temporal"))
    async with env, Worker(env.client, task_queue=QUEUE, workflows=[Parked],
                           activities=[sink], max_cached_workflows=PARKED + WARMUP + 100,
                           workflow_runner=UnsandboxedWorkflowRunner()):
        for _ in range(WARMUP):
            await _open(env.client, size, payload)
        gc.collect()
        before = rss_bytes()
        gate = asyncio.Semaphore(10)

        async def one() -> None:
            async with gate:
                await _open(env.client, size, payload)

        await asyncio.gather(*(one() for _ in range(PARKED)))
        gc.collect()
        return (rss_bytes() - before) / PARKED / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int, help="payload sizes, bytes")
    parser.add_argument("--payload", choices=PAYLOADS, default="activity",
                        help="which input carries the bytes (default: the activity's)")
    args = parser.parse_args()
    for size in args.sizes:
        kib = asyncio.run(per_parked(size, args.payload))
        print(f"{args.payload} input {size:>7,} B: {kib:6.1f} KiB RSS per parked workflow "
              f"({PARKED} parked)")


if __name__ == "__main__":
    main()
