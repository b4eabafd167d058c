"""Telling the spike watches (workflows/spike_watch.py) that hot posts arrived.

Signal-with-start: the category's watch starts with the first batch that brings hot posts, and
later batches signal the running one. The watch measures from the store, so a signal that does
not get through (Temporal down for a moment) only delays detection to the next batch; the batch
itself is already stored and answered.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache

from temporalio.common import WorkflowIDReusePolicy
from temporalio.service import RPCError

from api.services.policy import ActivePolicy
from api.services.temporal import TemporalGateway
from domain.enums import Category, SourceChannel, Temperature
from domain.errors import Unavailable
from domain.intake.posts import StoredPost
from domain.intake.spike import SPIKE_TAG, PostsArrived, SpikePrototype, SpikeWatchInput
from domain.models import CreateEscalationInput
from domain.routing import route
from domain.state import LinkBases
from workflows.spike_watch import POSTS_ARRIVED, SpikeWatchWorkflow, watch_id

log = logging.getLogger("api.spikes")
CREATED_BY = "spike watch"


class SpikeWatches:
    def __init__(self, *, temporal: TemporalGateway, policy: ActivePolicy, links: LinkBases,
                 task_queue: str) -> None:
        self._temporal = temporal
        self._policy = policy
        self._links = links
        self._task_queue = task_queue
        self.prototype = cache(self._prototype)

    async def posts_arrived(self, posts: list[StoredPost]) -> None:
        rule = self._policy.policy.intake.spike
        if not rule.enabled:
            return
        latest: dict[Category, datetime] = {}
        for post in posts:
            if post.temperature is Temperature.HOT:
                seen = latest.get(post.category)
                latest[post.category] = post.posted_at if seen is None else max(
                    seen, post.posted_at)
        for category, at in latest.items():
            try:
                await self._signal(category, PostsArrived(latest=at, rule=rule))
            except (Unavailable, RPCError) as error:
                log.warning("spike watch of %s not signalled (%r); the next batch will",
                            category.value, error)

    async def _signal(self, category: Category, arrived: PostsArrived) -> None:
        client = await self._temporal.client()
        watch = watch_id(self._task_queue, category.value)
        async with self._temporal.deadline():
            await client.start_workflow(
                SpikeWatchWorkflow.run,
                SpikeWatchInput(watch_id=watch, category=category,
                                prototype=self.prototype(category), rule=arrived.rule),
                id=watch,
                task_queue=self._task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                start_signal=POSTS_ARRIVED,
                start_signal_args=[arrived],
                static_summary=f"Spike watch: hot {category.value} posts",
                rpc_timeout=self._temporal.timeout,
            )

    def _prototype(self, category: Category) -> SpikePrototype:
        """Routed like any escalation of the category, with the `spike` tag rules may test."""
        request = CreateEscalationInput(title="spike", category=category,
                                        channel=SourceChannel.API, tags=[SPIKE_TAG])
        return SpikePrototype(policy=self._policy.snapshot,
                              routing=route(self._policy.policy, request),
                              links=self._links, created_by=CREATED_BY)
