"""Related records in their own systems, on the time-skipping server with the real worker and
the local PagerDuty, Jira, ServiceNow and record webhook: linked at the start, closed at the
close stage, retried, given up on, and a problem record after the internal RCA."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain import lifecycle
from domain.enums import Audience, Status
from domain.models import (
    ActionPlanInput,
    AddDetailsInput,
    CreateEscalationInput,
    CustomerAccessInput,
    EscalationView,
    InternalRcaInput,
    NoticeInput,
    ResolutionInput,
    VerificationInput,
)
from domain.policy import Policy
from domain.routing import route
from domain.state import EscalationRequest
from tests.support.escalations import ENGINEER, IM, LEAD
from tests.support.related_systems import (
    JIRA_ISSUE,
    RECORDS,
    SNOW_INCIDENT,
    RelatedSystems,
    linked_and_closed_once,
)
from tests.unit.workflows.conftest import rig_for
from tests.unit.workflows.rig import Handle, Rig
from tests.unit.workflows.test_continue_as_new import continue_run
from workflows.escalation import EscalationWorkflow

UNKNOWN = "CASE-77-A"  # no system owns it: kept


@pytest.fixture
def systems() -> Iterator[RelatedSystems]:
    with RelatedSystems() as found:
        yield found


@pytest_asyncio.fixture
async def rig(time_skipping_env: WorkflowEnvironment, tmp_path: Path,
              request: pytest.FixtureRequest, systems: RelatedSystems) -> AsyncIterator[Rig]:
    async with rig_for(time_skipping_env, tmp_path, request, environ=systems.env) as found:
        yield found


def body(rig: Rig, **changes: Any) -> dict[str, Any]:
    """With a stakeholder: the notice on the way to close needs someone to reach (issue 20)."""
    return {"title": "Checkout down for EU customers", "category": "question",
            "priority": "P4", "related_records": [*RECORDS, UNKNOWN],
            "stakeholders": [rig.stakeholder("exec")], **changes}


async def linked(rig: Rig, handle: Handle) -> EscalationView:
    return await rig.wait_for(handle, lambda v: bool(v.record_links) and all(
        link.outcome.value != "pending" for link in v.record_links), "every link made")


async def to_close(handle: Handle, *, resolution: str = "rolled back the bad deploy") -> None:
    for update, command in (
        (EscalationWorkflow.send_notice, NoticeInput(actor=IM, audiences=[Audience.INTERNAL])),
        (EscalationWorkflow.set_action_plan,
         ActionPlanInput(actor=IM, steps=[{"description": "roll back"}])),
        (EscalationWorkflow.declare_resolution, ResolutionInput(actor=IM, summary=resolution)),
        (EscalationWorkflow.verify_resolution, VerificationInput(actor=ENGINEER, verified=True)),
        (EscalationWorkflow.confirm_customer_access,
         CustomerAccessInput(actor=LEAD, confirmed=True)),
    ):
        await handle.execute_update(update, command)


def outcomes(view: EscalationView) -> dict[str, str]:
    return {o.record: o.outcome.value for o in view.record_outcomes}


def policy(rig: Rig, systems: RelatedSystems, **changes: Any) -> Policy:
    return systems.policy(rig.policy, **changes)


async def test_each_record_is_linked_once_then_closed_once_in_its_system(
    rig: Rig, systems: RelatedSystems
) -> None:
    handle, _ = await rig.open(body(rig), policy=policy(rig, systems))
    view = await linked(rig, handle)
    assert {link.record: link.outcome.value for link in view.record_links} == dict.fromkeys(
        RECORDS, "linked")

    await to_close(handle)
    summary = await handle.result()

    assert summary.status is Status.CLOSED
    view = await handle.query(EscalationWorkflow.state)
    assert outcomes(view) == {**dict.fromkeys(RECORDS, "closed"), UNKNOWN: "kept"}
    assert systems.effects() == linked_and_closed_once()
    assert "rolled back the bad deploy" in systems.jira.comment_texts(JIRA_ISSUE)[-1]
    entries = rig.timeline(handle.id)
    types = [e.type.value for e in entries]
    assert types.count("related_record_linked") == 4
    assert types.count("related_record_outcome") == 5
    assert types[-1] == "related_records_closed"  # the summary, once the last system answered


async def test_a_system_failing_for_a_while_is_retried_until_the_record_closes(
    rig: Rig, systems: RelatedSystems
) -> None:
    handle, _ = await rig.open(body(rig, related_records=[SNOW_INCIDENT]),
                               policy=policy(rig, systems))
    await linked(rig, handle)
    systems.servicenow.fail(times=3, status=503)

    await to_close(handle)
    await rig.env.sleep(timedelta(minutes=1))  # the backoff (1 s, 2 s, 4 s), in skipped time
    await handle.result()

    view = await handle.query(EscalationWorkflow.state)
    assert outcomes(view) == {SNOW_INCIDENT: "closed"}
    assert [c.status for c in systems.servicenow.calls].count(503) == 3
    assert systems.servicenow.effects_of("state") == {SNOW_INCIDENT: 1}


async def test_a_system_down_past_retry_for_is_failed_and_the_escalation_still_closes(
    rig: Rig, systems: RelatedSystems
) -> None:
    handle, _ = await rig.open(body(rig, related_records=[JIRA_ISSUE, SNOW_INCIDENT]),
                               policy=policy(rig, systems, retry_for="PT2M"))
    await linked(rig, handle)
    systems.jira.down()

    await to_close(handle)
    await rig.env.sleep(timedelta(minutes=3))  # past retry_for, in skipped time
    view = await rig.wait_for(handle, lambda v: "pending" not in outcomes(v).values(),
                              "every record's outcome")
    summary = await handle.result()

    assert summary.status is Status.CLOSED
    assert outcomes(view) == {JIRA_ISSUE: "failed", SNOW_INCIDENT: "closed"}
    [failed] = [o for o in view.record_outcomes if o.outcome.value == "failed"]
    assert failed.answer is not None
    assert failed.answer == "gave up after PT2M: jira answered 503 to GET issue OPS-7"
    assert len(systems.jira.calls) > 2  # retried before giving up


async def test_an_internal_rca_with_actions_opens_a_problem_record(
    rig: Rig, systems: RelatedSystems
) -> None:
    handle, _ = await rig.open(body(rig, priority="P1", related_records=[]),
                               policy=policy(rig, systems))
    await to_close(handle)
    await rig.wait_for(handle, lambda v: v.rca.internal is not None, "the internal RCA task")

    await handle.execute_update(EscalationWorkflow.submit_internal_rca, InternalRcaInput(
        actor=ENGINEER, summary="bad deploy", root_cause="no canary",
        corrective_actions=["canary every deploy", "alert on EU error rate"]))
    view = await rig.wait_for(handle, lambda v: bool(v.problem_records), "a problem record")

    assert view.problem_records == ["PRB-1"]
    [create] = systems.jira.requests("POST", "/rest/api/3/issue$")
    assert create.json()["fields"]["summary"] == "Problem: Checkout down for EU customers"
    assert rig.count(handle.id, "problem_record_opened") == 1
    await rig.cancel(handle)


async def test_a_record_added_later_is_linked_too(rig: Rig, systems: RelatedSystems) -> None:
    handle, _ = await rig.open(body(rig, related_records=[JIRA_ISSUE]), policy=policy(rig, systems))
    await linked(rig, handle)

    await handle.execute_update(EscalationWorkflow.add_details, AddDetailsInput(
        actor=ENGINEER, related_records=[SNOW_INCIDENT]))
    view = await rig.wait_for(handle, lambda v: len(v.record_links) == 2 and all(
        link.outcome.value == "linked" for link in v.record_links), "the new record linked")

    assert [link.record for link in view.record_links] == [JIRA_ISSUE, SNOW_INCIDENT]
    assert systems.jira.effects_of("comment") == {JIRA_ISSUE: 1}
    assert systems.servicenow.effects_of("work_note") == {SNOW_INCIDENT: 1}
    await rig.cancel(handle)


async def test_a_continued_run_finishes_the_record_work_it_carries(
    rig: Rig, systems: RelatedSystems
) -> None:
    carried = policy(rig, systems)
    request = CreateEscalationInput.model_validate(body(rig, related_records=[JIRA_ISSUE]))
    payload = EscalationRequest(
        id=f"esc-{uuid.uuid4().hex[:20]}", request=request, routing=route(carried, request),
        policy=carried, created_by=IM.name, request_id=uuid.uuid4().hex, request_hash="h")
    now = await rig.env.get_current_time()
    state = lifecycle.intake(payload, payload.routing, now).state
    state = lifecycle.request_links(state, at=now).state  # asked, never answered

    handle = await continue_run(rig, state)
    await linked(rig, handle)

    assert systems.jira.effects_of("comment") == {JIRA_ISSUE: 1}
    await rig.cancel(handle)
