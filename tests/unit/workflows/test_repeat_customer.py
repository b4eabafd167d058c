"""The repeat-customer signal at intake: counted by the API before the start, or (requests from
an API that predates the count) looked up by the workflow itself."""

from __future__ import annotations

from tests.support.temporal import scheduled_activities
from tests.unit.workflows.rig import Rig

QUESTION = {"title": "Where is my export?", "category": "question", "channel": "email",
            "customer": {"id": "cust-7", "name": "Globex"}}


async def test_a_count_from_the_api_raises_priority_without_a_lookup(rig: Rig) -> None:
    handle, created = await rig.open(QUESTION, prior_escalations=2)
    assert created.escalation.priority.value == "P2"  # routed P3, raised one step
    assert "repeat customer (2 prior escalations within P90D): P3 -> P2" in (
        created.escalation.routing.reasons)
    assert "count_prior_escalations" not in await scheduled_activities(handle)
    await rig.cancel(handle)


async def test_a_count_of_zero_leaves_the_priority(rig: Rig) -> None:
    handle, created = await rig.open(QUESTION, prior_escalations=0)
    assert created.escalation.priority.value == "P3"
    assert "count_prior_escalations" not in await scheduled_activities(handle)
    await rig.cancel(handle)


async def test_a_request_without_a_count_is_looked_up_by_the_workflow(rig: Rig) -> None:
    """An API from before the count (a rolling upgrade): intake counts in the store itself."""
    first, _ = await rig.open(QUESTION, prior_escalations=None)
    second, created = await rig.open(QUESTION, prior_escalations=None)
    assert created.escalation.priority.value == "P2"
    assert "count_prior_escalations" in await scheduled_activities(second)
    assert "count_prior_escalations" in await scheduled_activities(first)
    for handle in (first, second):
        await rig.cancel(handle)
