"""Notifications as the workflow sees them (issue #4): a dead receiver never blocks the
escalation nor other recipients; it gets everything exactly once, in order, when it returns;
a receiver that never returns is given up after `notifications.retry_for`, on the timeline."""

from __future__ import annotations

from datetime import timedelta

from temporalio.contrib.pydantic import pydantic_data_converter

from domain.models import AcknowledgeInput, NoticeInput, StatusUpdateInput
from tests.support.escalations import ENGINEER, IM
from tests.unit.workflows.rig import Rig
from workflows.escalation import EscalationWorkflow

OUTAGE = {"title": "Checkout failing", "category": "outage"}


async def test_a_receiver_down_for_a_while_gets_everything_once_in_order(rig: Rig) -> None:
    rig.receiver.fail_always(503)
    handle, _ = await rig.open({**OUTAGE, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.acknowledge, AcknowledgeInput(actor=ENGINEER))
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, message="first", audiences=["internal"]))
    for n in range(3):  # the workflow goes on while every delivery fails
        view = await handle.execute_update(
            EscalationWorkflow.post_status_update,
            StatusUpdateInput(actor=ENGINEER, message=f"update {n}"))
    assert view.version == 6
    await rig.env.sleep(timedelta(minutes=2))  # retries back off while the receiver is down
    assert rig.receiver.delivered() == []
    assert len(await handle.query(EscalationWorkflow.pending_deliveries)) >= 4

    rig.receiver.recover()
    await rig.env.sleep(timedelta(minutes=10))  # past the longest backoff so far
    await rig.settle(handle)
    # Each message opens with its own text (the status_update template: "{message}\n\n...").
    exec_messages = [r.json()["message"].split("\n\n")[0] for r in rig.receiver.delivered()
                     if r.path == "/exec"]
    assert exec_messages == ["first", *(f"update {n}" for n in range(3))]
    assert rig.receiver.duplicates() == {}
    assert rig.count(handle.id, "notification_failed") == 0
    await rig.cancel(handle)


async def test_a_receiver_that_never_answers_is_given_up_and_recorded(rig: Rig) -> None:
    policy = rig.policy.model_copy(update={"notifications": rig.policy.notifications.model_copy(
        update={"retry_for": timedelta(minutes=30)})})
    handle, _ = await rig.open(
        {**OUTAGE, "stakeholders": [rig.stakeholder("exec"),
                                    {"name": "gone", "channel": "webhook",
                                     "address": rig.receiver.url("/gone")}]},
        policy=policy)
    rig.receiver.fail_always(500)
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, message="hello", audiences=["internal"]))
    rig.receiver.recover()
    await rig.env.sleep(timedelta(minutes=5))
    await rig.wait_for(handle, lambda v: "/exec" in {r.path for r in rig.receiver.delivered()},
                       "the live stakeholder's delivery")

    rig.receiver.fail_always(500)  # from now on /gone (and everyone) fails for good
    await handle.execute_update(EscalationWorkflow.post_status_update,
                                StatusUpdateInput(actor=IM, message="still down"))
    await rig.env.sleep(timedelta(minutes=31))

    def given_up() -> list[str]:
        return [e.details["recipient"] for e in rig.timeline(handle.id)
                if e.type.value == "notification_failed" and e.details["event"] == "status_update"]

    await rig.wait_for(handle, lambda v: len(given_up()) == 2, "both deliveries given up")
    assert sorted(given_up()) == ["exec", "gone"]
    assert (await handle.query(EscalationWorkflow.state)).status.value == "open"
    rig.receiver.recover()
    await rig.env.sleep(timedelta(minutes=6))  # let the timers' notifications finish retrying
    await rig.cancel(handle)


async def test_a_transitions_deliveries_start_beside_its_store_write(rig: Rig) -> None:
    """Notices do not wait for the projection: the workflow task that schedules a transition's
    store write also schedules its deliveries (at intake too)."""
    handle, _ = await rig.open({**OUTAGE, "stakeholders": [rig.stakeholder("exec")]})
    await handle.execute_update(EscalationWorkflow.send_notice,
                                NoticeInput(actor=IM, message="first", audiences=["internal"]))
    summaries: dict[int, list[str]] = {}
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_scheduled_event_attributes"):
            task = event.activity_task_scheduled_event_attributes.workflow_task_completed_event_id
            summary = pydantic_data_converter.payload_converter.from_payload(
                event.user_metadata.summary, str)
            summaries.setdefault(task, []).append(summary)
    together = [names for names in summaries.values() if len(names) > 1]
    assert any(names[0] == "record created, routed, stage_changed"
               and any(n.startswith("new_escalation to ") for n in names[1:])
               for names in together), summaries
    assert ["record notice_sent", "notice to exec (webhook)"] in together, summaries
    await rig.cancel(handle)
