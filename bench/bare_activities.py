"""The bare baselines' activities: they do nothing, so that what remains is Temporal's cost."""

from __future__ import annotations

from temporalio import activity


@activity.defn(name="bare_record")
async def bare_record(step: int) -> None:
    del step  # the count matters, not the work


@activity.defn(name="bare_deliver")
async def bare_deliver(step: int) -> None:
    del step
