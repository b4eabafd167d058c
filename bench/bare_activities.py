"""The bare baselines' activities: they do nothing, so that what remains is Temporal's cost."""

from __future__ import annotations

from temporalio import activity


@activity.defn(name="bare_record")
async def bare_record(step: int, pad: str = "") -> None:
    del step, pad  # the count matters, not the work (pad: our input's size, --bare-sized)


@activity.defn(name="bare_deliver")
async def bare_deliver(step: int, pad: str = "") -> None:
    del step, pad
