"""Merging duplicates on the time-skipping server: two workflows, the survivor asked first."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.casework import MergeInput, NoteInput
from domain.enums import Status
from domain.models import EscalationView
from tests.support.escalations import IM
from tests.unit.workflows.rig import Handle, Rig
from workflows import search_attributes as sa
from workflows.escalation import EscalationWorkflow

OUTAGE = {"title": "The app is down", "category": "outage", "channel": "twitter"}
# Timeline entries only a timer writes: none may appear on a merged escalation.
TIMER_ENTRIES = {"sla_breached", "sla_warning", "escalated", "reminder_sent", "notice_sent"}


def body(rig: Rig, *customers: str, **more: Any) -> dict[str, Any]:
    return {**OUTAGE, "affected_customers": [rig.customer(c) for c in customers], **more}


async def merge(handle: Handle, into: str, note: str = "same outage") -> EscalationView:
    view: EscalationView = await handle.execute_update(EscalationWorkflow.merge,
                                                       MergeInput(actor=IM, into=into, note=note))
    return view


async def refusal(call: Any) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await call
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


async def test_five_concurrent_merges_and_a_repeat_leave_one_survivor_with_every_customer_once(
    rig: Rig,
) -> None:
    survivor, _ = await rig.open(body(rig, "c0", "c1"))
    duplicates = [(await rig.open(body(rig, f"c{n}", f"c{n + 1}",
                                       stakeholders=[rig.stakeholder(f"exec{n}")])))[0]
                  for n in range(1, 6)]
    calls = [merge(d, survivor.id) for d in duplicates] + [merge(duplicates[0], survivor.id)]
    answers = await asyncio.gather(*calls)
    assert all(a.status is Status.MERGED and a.merged_into == survivor.id for a in answers)
    assert answers[0].version == answers[-1].version  # the repeat answered as the first did
    for handle in duplicates:
        await handle.result()  # a merged escalation's workflow completes
    state = await survivor.query(EscalationWorkflow.state)
    # Each customer once, in whatever order the concurrent merges arrived.
    assert sorted(c.id for c in state.affected_customers) == [f"c{n}" for n in range(7)]
    assert sorted(state.merged_from) == sorted(d.id for d in duplicates)
    assert rig.count(survivor.id, "duplicate_merged") == 5
    assert sorted(s.name for s in state.stakeholders) == [f"exec{n}" for n in range(1, 6)]
    attributes = (await survivor.describe()).typed_search_attributes
    assert attributes.get(sa.CUSTOMERS) == [f"c{n}" for n in range(7)]
    # Each duplicate's stakeholder was told where it went (a workflow completes only once
    # its deliveries are done).
    for n in range(1, 6):
        assert "merged" in rig.events_to(f"/exec{n}")
    # The survivor ends first: its own clocks (a P1's cadence every few minutes for days)
    # would keep the time-skipping server busy. Then past every deadline of the duplicates.
    await rig.cancel(survivor)
    before = {d.id: len(rig.timeline(d.id)) for d in duplicates}
    await rig.env.sleep(timedelta(days=10))
    for handle in duplicates:
        entries = rig.timeline(handle.id)
        assert len(entries) == before[handle.id]
        assert not TIMER_ENTRIES & {e.type.value for e in entries if e.seq > 3}
        assert rig.count(handle.id, "merged") == 1
        attributes = (await handle.describe()).typed_search_attributes
        assert attributes.get(sa.STATUS) == "merged"


async def test_merge_cycles_are_refused_and_change_nothing(rig: Rig) -> None:
    a, _ = await rig.open(body(rig, "a1"))
    b, _ = await rig.open(body(rig, "b1"))
    c, _ = await rig.open(body(rig, "c1"))
    await merge(a, b.id)
    # b into a: a is merged (its workflow has ended), so the survivor refuses.
    before = await b.query(EscalationWorkflow.state)
    cause = await refusal(merge(b, a.id))
    assert cause.type == "action_not_allowed"
    after = await b.query(EscalationWorkflow.state)
    assert (after.status, after.version) == (Status.OPEN, before.version)
    # A longer chain: b into c, then c into b would loop (b is merged into c).
    await merge(b, c.id)
    cause = await refusal(merge(c, b.id))
    assert cause.type == "action_not_allowed"
    state = await c.query(EscalationWorkflow.state)
    assert state.status is Status.OPEN
    assert sorted(state.merged_from) == sorted([a.id, b.id])
    assert [x.id for x in state.affected_customers] == ["c1", "b1", "a1"]
    await rig.cancel(c)


async def test_two_escalations_merging_into_each_other_at_once_never_both_close(rig: Rig) -> None:
    a, _ = await rig.open(body(rig, "a1"))
    b, _ = await rig.open(body(rig, "b1"))
    outcomes = await asyncio.gather(merge(a, b.id), merge(b, a.id), return_exceptions=True)
    merged = [o for o in outcomes if isinstance(o, EscalationView)]
    assert len(merged) <= 1
    for handle in (a, b):
        description = await handle.describe()
        if description.status is not None and description.status.name == "RUNNING":
            assert (await handle.query(EscalationWorkflow.state)).status is Status.OPEN
            await rig.cancel(handle)


async def test_a_merge_into_itself_is_refused(rig: Rig) -> None:
    a, _ = await rig.open(body(rig, "a1"))
    cause = await refusal(merge(a, a.id))
    assert cause.type == "invalid_input"
    await rig.cancel(a)


async def test_a_note_mentioning_a_contact_reaches_them_once_and_no_customer(rig: Rig) -> None:
    handle, _ = await rig.open(body(rig, "c1"))
    contact = rig.policy.teams["sre"].contacts.team_lead[0].name
    view = await handle.execute_update(EscalationWorkflow.add_note, NoteInput(
        actor=IM, text=f"@{contact} look, and again @{contact}"))
    await rig.settle(handle)
    mentions = [r for r in rig.receiver.requests if r.json()["event"] == "mention"]
    assert [m.json()["recipient"]["name"] for m in mentions] == [contact]
    assert not any(r.path.startswith("/customer/") and r.json()["event"] == "mention"
                   for r in rig.receiver.requests)
    assert rig.count(view.id, "note") == 1
    await rig.cancel(handle)
