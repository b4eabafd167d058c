"""The spike watch on the time-skipping server, with the real worker and store: one spike
escalation per spike, grown by the next surge, and a watch that ends once posts stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from domain.enums import Category, Priority, SourceChannel, Temperature
from domain.intake.policy import SpikeRule
from domain.intake.posts import PostAuthor, PostOutcome, StoredPost
from domain.intake.spike import SPIKE_TAG, PostsArrived, SpikePrototype, SpikeWatchInput
from domain.models import CreateEscalationInput, Customer
from domain.routing import route
from domain.state import LinkBases
from store.queries import insert_posts
from store.tables import EscalationRow
from tests.support.temporal import scheduled_activities
from tests.support.waiting import until
from tests.unit.workflows.rig import Rig
from workflows.escalation import EscalationWorkflow
from workflows.spike_watch import POSTS_ARRIVED, SpikeWatchWorkflow, watch_id

T = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RULE = SpikeRule(at_least=20)


def hot_posts(first: int, count: int, at: datetime) -> list[StoredPost]:
    return [StoredPost(
        channel=SourceChannel.TWITTER, post_id=str(n), text=f"charged twice, order {n}",
        author=PostAuthor(handle=f"@u{n}"), customer=Customer(id=f"c{n}"), posted_at=at,
        category=Category.BILLING, temperature=Temperature.HOT, priority=Priority.P2,
        team="billing", outcome=PostOutcome.ESCALATED, received_at=at, settled_at=at,
        urgent=True, founder=True, keys=[], services=[],
    ) for n in range(first, first + count)]


def store(rig: Rig, posts: list[StoredPost]) -> None:
    with rig.sessions() as session, session.begin():
        insert_posts(session, posts)


def spike_titles(rig: Rig) -> list[str]:
    with rig.sessions() as session:
        return [row.title for row in session.exec(select(EscalationRow))
                if SPIKE_TAG in row.to_view().tags]


async def signal(rig: Rig, latest: datetime) -> Any:
    policy = rig.policy
    prototype = SpikePrototype(
        policy=policy.snapshot(), links=LinkBases(), created_by="spike watch",
        routing=route(policy, CreateEscalationInput(title="s", category=Category.BILLING,
                                                    tags=[SPIKE_TAG])))
    watch = watch_id(rig.task_queue, "billing")
    return await rig.env.client.start_workflow(
        SpikeWatchWorkflow.run,
        SpikeWatchInput(watch_id=watch, category=Category.BILLING, prototype=prototype,
                        rule=RULE),
        id=watch, task_queue=rig.task_queue,
        start_signal=POSTS_ARRIVED, start_signal_args=[PostsArrived(latest=latest, rule=RULE)])


async def test_one_spike_opens_one_escalation_and_the_next_surge_grows_it(rig: Rig) -> None:
    store(rig, hot_posts(0, 25, T))
    watch = await signal(rig, T)
    rig.others.append(watch)
    spike = await until(lambda: watch.query(SpikeWatchWorkflow.spike), bool,
                        what="the spike escalation", within=60)
    escalation = rig.env.client.get_workflow_handle_for(EscalationWorkflow.run,
                                                        spike.escalation_id)
    rig.opened.append(escalation)
    view = await rig.wait_for(escalation, lambda v: v.stage.value == "communicate", "intake")
    assert view.title == "Spike: 25 hot billing posts in 10 min"
    assert len(view.affected_customers) == 25

    await signal(rig, T + timedelta(minutes=1))  # the same spike, no new posts: nothing
    store(rig, hot_posts(100, 25, T + timedelta(minutes=2)))
    await signal(rig, T + timedelta(minutes=2))  # 50 now: another threshold's worth
    await until(lambda: rig.env.client.get_workflow_handle(spike.escalation_id).query(
        EscalationWorkflow.state), lambda v: len(v.affected_customers) == 50,
        what="the spike to grow", within=60)
    # The workflow's state grows before the store write of its entry lands: wait for that too.

    async def attached() -> int:
        return rig.count(spike.escalation_id, "posts_attached")

    assert await until(attached, bool, what="the posts_attached entry in the store",
                       within=60) == 1
    assert spike_titles(rig) == ["Spike: 25 hot billing posts in 10 min"]


async def test_the_watch_ends_after_a_quiet_window(rig: Rig) -> None:
    store(rig, hot_posts(0, 3, T))
    watch = await signal(rig, T)
    rig.others.append(watch)
    await watch.result()  # time skips past the quiet window
    assert await scheduled_activities(watch) == ["measure_spike"]
    assert spike_titles(rig) == []
