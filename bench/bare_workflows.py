"""The bare baselines: the same Temporal shape as EscalationWorkflow, with no store or policy.

BareLifecycleWorkflow runs, per update, the number of activities our workflow runs for that
action (`LIFECYCLE_PLAN`, checked against a real history of ours in every run), its deliveries
started beside its store write as ours are, re-arms one timer per state change as our
`wait_condition` loop does, and completes after the last update once its background activities
finish. BareHoldWorkflow arms one long timer and waits.

Sandbox-clean like our workflow module: activities are referenced by name only.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from bench.bare_models import BareInput, BareView, HoldInput

ACTIVITY_TIMEOUT = timedelta(seconds=30)
TIMER = timedelta(hours=4)  # long: it is always cancelled by the next update, as ours are


@workflow.defn(name="BareLifecycleWorkflow")
class BareLifecycleWorkflow:
    @workflow.init
    def __init__(self, input: BareInput) -> None:
        self._plan = input.plan
        self._local = input.local_awaited
        self._sizes = input.sizes
        self._step = 0
        self._wake = False
        self._background: set[asyncio.Task[None]] = set()

    @workflow.run
    async def run(self, _input: BareInput) -> BareView:
        # Ours arms its first timer after intake, not before.
        await workflow.wait_condition(lambda: self._step > 0)
        while self._step < len(self._plan):
            self._wake = False
            try:
                await workflow.wait_condition(lambda: self._wake, timeout=TIMER,
                                              timeout_summary="bare timer")
            except TimeoutError:
                pass
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and not self._background)
        return self._view()

    def _view(self) -> BareView:
        done = self._step >= len(self._plan)
        return BareView(id=workflow.info().workflow_id, step=self._step,
                        status="closed" if done else "open",
                        pad=_pad(self._sizes.view) if self._sizes else "")

    async def _apply(self, name: str) -> BareView:
        step = self._plan[self._step]
        if step.update != name:
            raise ApplicationError(f"{name} not allowed at step {self._step}",
                                   type="not_allowed", non_retryable=True)
        # Ours starts a transition's deliveries beside its store write, in the same task.
        for _ in range(step.background):
            task = asyncio.create_task(self._deliver())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        args = self._args(self._sizes.record if self._sizes else 0)
        for _ in range(step.awaited):
            if self._local:
                await workflow.execute_local_activity("bare_record", args=args,
                                                      start_to_close_timeout=ACTIVITY_TIMEOUT)
            else:
                await workflow.execute_activity("bare_record", args=args,
                                                start_to_close_timeout=ACTIVITY_TIMEOUT)
        self._step += 1  # after the awaited work: the run loop must not wake before it
        self._wake = True
        return self._view()

    def _args(self, pad: int) -> list[object]:
        # Unsized, exactly one small argument as before: an empty pad would still be a payload.
        return [self._step, _pad(pad)] if pad else [self._step]

    async def _deliver(self) -> None:
        await workflow.execute_activity("bare_deliver",
                                        args=self._args(self._sizes.deliver if self._sizes else 0),
                                        start_to_close_timeout=ACTIVITY_TIMEOUT)

    @workflow.update(name="intake")
    async def intake(self, _body: dict[str, Any]) -> BareView:
        return await self._apply("intake")

    @workflow.update(name="send_notice")
    async def send_notice(self, _body: dict[str, Any]) -> BareView:
        return await self._apply("send_notice")

    @workflow.update(name="set_action_plan")
    async def set_action_plan(self, _body: dict[str, Any]) -> BareView:
        return await self._apply("set_action_plan")

    @workflow.update(name="declare_resolution")
    async def declare_resolution(self, _body: dict[str, Any]) -> BareView:
        return await self._apply("declare_resolution")

    @workflow.update(name="verify_resolution")
    async def verify_resolution(self, _body: dict[str, Any]) -> BareView:
        return await self._apply("verify_resolution")

    @workflow.update(name="confirm_customer_access")
    async def confirm_customer_access(self, _body: dict[str, Any]) -> BareView:
        return await self._apply("confirm_customer_access")

    @workflow.update(name="submit_internal_rca")
    async def submit_internal_rca(self, _body: dict[str, Any]) -> BareView:
        return await self._apply("submit_internal_rca")

    @workflow.update(name="share_customer_rca")
    async def share_customer_rca(self, _body: dict[str, Any]) -> BareView:
        return await self._apply("share_customer_rca")


def _pad(size: int) -> str:
    return "x" * size


@workflow.defn(name="BareHoldWorkflow")
class BareHoldWorkflow:
    @workflow.init
    def __init__(self, input: HoldInput) -> None:
        self._due = input.due

    @workflow.run
    async def run(self, _input: HoldInput) -> str:
        wait = self._due - workflow.now()
        if wait > timedelta(0):
            await workflow.sleep(wait, summary="bare long timer")
        return "fired"

    @workflow.update(name="opened")
    async def opened(self) -> str:
        # Returned in the first workflow task, whose completion also arms the timer: when the
        # caller has the answer, the workflow is parked, as ours is after intake.
        return workflow.info().workflow_id
