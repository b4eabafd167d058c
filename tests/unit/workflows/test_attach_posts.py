"""The attach_posts update on the time-skipping server: what social intake sends per batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.enums import Audience, Role
from domain.messages import AttachedPost, AttachPostsInput
from domain.models import (
    ActionPlanInput,
    Actor,
    AffectedCustomer,
    CustomerAccessInput,
    NoticeInput,
    ResolutionInput,
    VerificationInput,
)
from tests.support.escalations import ENGINEER, IM, LEAD
from tests.unit.workflows.rig import Rig
from workflows import search_attributes as sa
from workflows.escalation import EscalationWorkflow
from workflows.updates import ATTACH_POSTS

OUTAGE = {"title": "The app is down #AcmeDown", "category": "outage", "channel": "twitter",
          "customer": {"id": "cust-1", "name": "Ann"}, "affected_customers": [{"id": "cust-1"}]}
LISTENER = Actor(name="listener", role=Role.INTAKE)
AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def batch(*customers: str) -> AttachPostsInput:
    return AttachPostsInput(
        actor=LISTENER,
        posts=[AttachedPost(source=f"twitter:{c}", author=f"@{c}", customer_id=c, posted_at=AT)
               for c in customers],
        affected_customers=[AffectedCustomer(id=c) for c in customers],
        affected_services=["app"],
    )


async def test_a_batch_sent_twice_under_one_id_is_one_entry(rig: Rig) -> None:
    handle, created = await rig.open(OUTAGE)
    for _ in range(2):  # a retried batch: the same update id
        view = await handle.execute_update(ATTACH_POSTS, batch("cust-2", "cust-3"), id="batch-1")
    assert [c.id for c in view.affected_customers] == ["cust-1", "cust-2", "cust-3"]
    assert view.version == created.escalation.version + 1
    assert rig.count(view.id, "posts_attached") == 1
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(sa.CUSTOMERS) == ["cust-1", "cust-2", "cust-3"]
    await rig.cancel(handle)


async def test_an_escalation_in_its_close_stage_refuses_posts(rig: Rig) -> None:
    # The notice needs someone to reach (issue 20): a stakeholder, and it goes to them only.
    handle, _ = await rig.open({**OUTAGE, "related_records": ["INC-1"],
                                "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, audiences=[Audience.INTERNAL]))
    await handle.execute_update(EscalationWorkflow.set_action_plan, ActionPlanInput(
        actor=ENGINEER, steps=[{"description": "restart"}]))
    await handle.execute_update(EscalationWorkflow.declare_resolution,
                                ResolutionInput(actor=IM, summary="restarted"))
    await handle.execute_update(EscalationWorkflow.verify_resolution,
                                VerificationInput(actor=ENGINEER, verified=True))
    closing = await handle.execute_update(EscalationWorkflow.confirm_customer_access,
                                          CustomerAccessInput(actor=LEAD, confirmed=True))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(ATTACH_POSTS, batch("cust-9"))
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "action_not_allowed"
    after = await handle.query(EscalationWorkflow.state)
    assert after.version == closing.version  # a rejected update writes nothing
    await rig.cancel(handle)


async def test_many_customers_keep_the_search_attribute_under_temporal_s_limit(
    rig: Rig,
) -> None:
    handle, _ = await rig.open(OUTAGE)
    many = [f"customer-with-a-long-id-{n:04d}" for n in range(120)]
    view = await handle.execute_update(ATTACH_POSTS, batch(*many))
    assert len(view.affected_customers) == 121
    kept = (await handle.describe()).typed_search_attributes.get(sa.CUSTOMERS)
    assert kept is not None
    assert "cust-1" in kept
    assert len(json.dumps(kept, separators=(",", ":"))) <= sa.CUSTOMERS_BYTES + 2  # [ and ]
    await rig.cancel(handle)
