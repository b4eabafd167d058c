"""SpikeWatchWorkflow: one per hot category, watching for a sudden rise in hot posts.

Started by the intake API with signal-with-start (`posts_arrived`) whenever a batch brings hot
posts of its category, so it runs only while posts come in: after a quiet `window` it
completes, and the next batch starts a new one. Each signal is measured once (signals that
arrive during a measurement are folded into the next): an activity counts the category's hot
posts in the store, `domain.intake.spike` decides, and a spike either opens the spike
escalation (a child EscalationWorkflow with a deterministic id, abandoned to live on its own)
or grows the open one through its `attach_posts` update. What is open is known from the store,
so a new watch grows the spike escalation an earlier one opened.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

from workflows import effects, start
from workflows import search_attributes as sa
from workflows.escalation import EscalationWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.intake import IntakeActivities
    from domain.enums import Role
    from domain.intake import spike
    from domain.intake.spike import (
        MeasureSpikeInput,
        OpenSpike,
        PostsArrived,
        SpikeMeasure,
        SpikeRecord,
        SpikeWatchInput,
    )
    from domain.messages import AttachRequest, WorkflowInput
    from domain.models import Actor

POSTS_ARRIVED = "posts_arrived"
WATCHER = Actor(name="spike watch", role=Role.SYSTEM)
# The spike escalation may have closed since the store said it was open: no point retrying.
ATTACH_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(
    seconds=30), maximum_attempts=10, non_retryable_error_types=["action_not_allowed",
                                                                "not_found"])


def watch_id(task_queue: str, category: str) -> str:
    """One watch per category and task queue (stacks sharing a Temporal stay apart)."""
    return f"spike-watch-{task_queue}-{category}"


@workflow.defn(name="SpikeWatchWorkflow")
class SpikeWatchWorkflow:
    @workflow.init
    def __init__(self, input: SpikeWatchInput) -> None:
        self._input = input
        self._rule = input.rule
        self._latest: datetime | None = input.pending
        self._spike: OpenSpike | None = input.spike

    @workflow.signal(name=POSTS_ARRIVED, description="Hot posts of this category arrived")
    def posts_arrived(self, arrived: PostsArrived) -> None:
        self._rule = arrived.rule
        latest = self._latest
        self._latest = arrived.latest if latest is None else max(latest, arrived.latest)

    @workflow.query(description="The spike escalation this watch knows is open, if any")
    def spike(self) -> OpenSpike | None:
        return self._spike

    @workflow.run
    async def run(self, input: SpikeWatchInput) -> None:  # noqa: ARG002 (kept by __init__)
        while True:
            try:
                await workflow.wait_condition(
                    lambda: self._latest is not None, timeout=self._rule.window,
                    timeout_summary=f"quiet for {spike.span(self._rule.window)}: done")
            except TimeoutError:
                return
            at, self._latest = self._latest, None
            assert at is not None
            await self._assess(await self._measure(at))
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._input.model_copy(update={
                    "rule": self._rule, "pending": self._latest, "spike": self._spike}))

    async def _measure(self, at: datetime) -> SpikeMeasure:
        category = self._input.category
        return await workflow.execute_activity_method(
            IntakeActivities.measure_spike,
            MeasureSpikeInput(category=category, at=at, window=self._rule.window,
                              baseline=self._rule.baseline, samples=self._rule.samples,
                              known_spike_id=self._spike.escalation_id if self._spike else None),
            start_to_close_timeout=effects.STORE_TIMEOUT,
            retry_policy=effects.STORE_RETRY,
            summary=f"count hot {category.value} posts",
        )

    async def _assess(self, measure: SpikeMeasure) -> None:
        current = spike.current_spike(self._spike, measure)
        verdict = spike.assess(self._rule, measure, current)
        if verdict is spike.Verdict.OPEN:
            await self._open_escalation(measure)
        elif verdict is spike.Verdict.GROW and current is not None:
            await self._grow(current, measure)
        else:
            self._spike = current

    async def _open_escalation(self, measure: SpikeMeasure) -> None:
        escalation_id = spike.spike_escalation_id(self._input.watch_id, measure.at)
        request = spike.spike_request(self._input.prototype, self._rule, measure,
                                      escalation_id=escalation_id,
                                      request_id=str(workflow.uuid4()))
        try:
            await workflow.start_child_workflow(
                EscalationWorkflow.run, WorkflowInput(request=request), id=escalation_id,
                parent_close_policy=ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                static_summary=start.static_summary(request),
                static_details=start.static_details(request),
                search_attributes=sa.at_start(request),
            )
        except WorkflowAlreadyStartedError:
            pass  # this watch's earlier run opened it (same window, same id)
        await self._record(escalation_id, measure)

    async def _grow(self, current: OpenSpike, measure: SpikeMeasure) -> None:
        attach = spike.growth(self._rule, measure, WATCHER)
        try:
            await workflow.execute_activity_method(
                IntakeActivities.attach_posts,
                AttachRequest(escalation_id=current.escalation_id,
                              update_id=f"spike-{measure.at.isoformat()}", attach=attach),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=ATTACH_RETRY,
                summary=f"spike grew to {measure.window_count}: add to {current.escalation_id}",
            )
        except ActivityError:
            # Closed (or gone) since the store listed it open: this spike is a new matter.
            self._spike = None
            await self._open_escalation(measure)
            return
        await self._record(current.escalation_id, measure)

    async def _record(self, escalation_id: str, measure: SpikeMeasure) -> None:
        self._spike = OpenSpike(escalation_id=escalation_id, last_count=measure.window_count,
                                last_at=measure.at)
        await workflow.execute_activity_method(
            IntakeActivities.record_spike,
            SpikeRecord(escalation_id=escalation_id, category=measure.category, at=measure.at,
                        count=measure.window_count,
                        samples=[s.source for s in measure.samples]),
            start_to_close_timeout=effects.STORE_TIMEOUT,
            retry_policy=effects.STORE_RETRY,
            summary=f"record spike {escalation_id} at {measure.window_count}",
        )
