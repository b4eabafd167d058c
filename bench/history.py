"""Reading histories: their shape (activities, updates, timers), size, and timer lateness."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from temporalio.api.history.v1 import History
from temporalio.client import Client

# Event attribute names as the protobuf oneof calls them.
ACTIVITY = "activity_task_scheduled_event_attributes"
UPDATE = "workflow_execution_update_accepted_event_attributes"
TIMER = "timer_started_event_attributes"
TIMER_FIRED = "timer_fired_event_attributes"
TASK_COMPLETED = "workflow_task_completed_event_attributes"
UPSERT = "upsert_workflow_search_attributes_event_attributes"
MARKER = "marker_recorded_event_attributes"
LOCAL_ACTIVITY_MARKER = "core_local_activity"  # the marker the SDK records per local activity


@dataclass(frozen=True)
class Shape:
    events: int
    activities: int  # scheduled on the server (activity tasks)
    local_activities: int  # run inside workflow tasks (a marker each)
    updates: int
    timers: int
    upserts: int
    bytes: int  # the serialized history
    largest_event: int
    # Events and their bytes per kind (attribute name without "_event_attributes"): where a
    # history's size comes from.
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def bytes_per_event(self) -> float:
        return self.bytes / self.events if self.events else 0.0

    @property
    def all_activities(self) -> int:
        return self.activities + self.local_activities

    def same_work(self, other: Shape) -> bool:
        """The same activities (local or not), updates and timers."""
        return (self.all_activities, self.updates, self.timers) == (
            other.all_activities, other.updates, other.timers)


async def fetch(client: Client, workflow_id: str) -> History:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    proto = History()
    proto.events.extend(history.events)
    return proto


def shape(history: History) -> Shape:
    kinds = Counter(str(event.WhichOneof("attributes")) for event in history.events)
    local = sum(1 for event in history.events if event.WhichOneof("attributes") == MARKER
                and event.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER)
    return Shape(
        events=len(history.events),
        activities=kinds[ACTIVITY],
        local_activities=local,
        updates=kinds[UPDATE],
        timers=kinds[TIMER],
        upserts=kinds[UPSERT],
        bytes=history.ByteSize(),
        largest_event=max((event.ByteSize() for event in history.events), default=0),
        by_kind=_by_kind(history),
    )


def _by_kind(history: History) -> dict[str, tuple[int, int]]:
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for event in history.events:
        kind = str(event.WhichOneof("attributes")).removesuffix("_event_attributes")
        counts[kind] += 1
        sizes[kind] += event.ByteSize()
    return {kind: (counts[kind], sizes[kind]) for kind in sorted(counts, key=lambda k: -sizes[k])}


@dataclass(frozen=True)
class Firing:
    fired: float  # seconds past due when the server fired the timer
    handled: float  # seconds past due when the workflow task that ran the timer's code completed
    # `fired` in two parts. A timer runs for its duration from when the server records it (the
    # workflow task that armed it completing), while the workflow computed that duration from
    # workflow.now() (the task's start): the task's time on the worker makes the timer late
    # before the server has anything to fire.
    armed: float  # seconds past due that the timer's duration ends (recorded + duration)
    server: float  # seconds between that end and the server firing it (fired - armed)


def firing(history: History, due: datetime) -> Firing | None:
    """The first timer that fired in the history, relative to `due`; None if none fired yet
    or its workflow task has not completed."""
    fired_at: datetime | None = None
    ends: dict[int, datetime] = {}  # TimerStarted event id -> when its duration ends
    end: datetime | None = None
    for event in history.events:
        kind = event.WhichOneof("attributes")
        if kind == TIMER:
            duration = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
            ends[event.event_id] = event.event_time.ToDatetime(tzinfo=due.tzinfo) + duration
        elif fired_at is None and kind == TIMER_FIRED:
            fired_at = event.event_time.ToDatetime(tzinfo=due.tzinfo)
            end = ends.get(event.timer_fired_event_attributes.started_event_id)
        elif fired_at is not None and kind == TASK_COMPLETED:
            handled = event.event_time.ToDatetime(tzinfo=due.tzinfo)
            end = end or fired_at
            return Firing((fired_at - due).total_seconds(), (handled - due).total_seconds(),
                          (end - due).total_seconds(), (fired_at - end).total_seconds())
    return None


async def firings(client: Client, dues: dict[str, datetime], *, deadline: float,
                  concurrency: int = 16) -> tuple[list[Firing], int]:
    """Lateness of every workflow's first timer; keeps re-reading until all fired or the
    monotonic `deadline` passes. Returns the firings and how many never fired in time."""
    loop = asyncio.get_running_loop()
    pending = dict(dues)
    found: list[Firing] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(workflow_id: str, due: datetime) -> tuple[str, Firing | None]:
        async with gate:
            return workflow_id, firing(await fetch(client, workflow_id), due)

    while pending:
        results = await asyncio.gather(*(one(w, d) for w, d in pending.items()))
        for workflow_id, result in results:
            if result is not None:
                found.append(result)
                del pending[workflow_id]
        if not pending or loop.time() > deadline:
            break
        await asyncio.sleep(1.0)
    return found, len(pending)
