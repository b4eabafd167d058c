"""Spike detection (seed: "a sudden rise in negative mentions"), decided from counts.

The spike watch (workflows/spike_watch.py, one per category) asks the store for a category's
hot posts in the window ending at the newest post, and in the `baseline` before it; this module
decides. A spike is at least `at_least` hot posts in `window`, and at least `times_baseline`
times the window's average over the baseline. A spike opens one spike escalation; while that
one is open, the spike grows it (one timeline entry each time the window's count has risen by
another `at_least`, or when a new wave comes after a quiet window) instead of opening another.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from domain.enums import Category, SourceChannel
from domain.ids import escalation_id_for_key
from domain.intake.policy import SpikeRule
from domain.messages import AttachedPost, AttachPostsInput
from domain.models import Actor, AffectedCustomer, CreateEscalationInput, Customer
from domain.policy import Policy
from domain.routing import RoutingDecision
from domain.state import EscalationRequest, LinkBases

SPIKE_TAG = "spike"
SAMPLE_CHARS = 280
MAX_CUSTOMERS = 500  # an input's limit (CreateEscalationInput.affected_customers)


class SpikeSample(BaseModel):
    source: str
    author: str
    text: str
    posted_at: datetime
    customer: Customer | None = None


class OpenSpike(BaseModel):
    escalation_id: str
    last_count: int  # the window's count when it was opened or last grew
    last_at: datetime


class PostsArrived(BaseModel):
    """The spike watch's signal: hot posts of its category arrived; the newest was posted at
    `latest`. The rule travels with it, so a policy edit applies from the next batch."""

    latest: datetime
    rule: SpikeRule


class SpikePrototype(BaseModel):
    """What a spike escalation starts from, decided by the API from its policy."""

    policy: Policy  # the snapshot new escalations carry
    routing: RoutingDecision
    links: LinkBases
    created_by: str


class SpikeWatchInput(BaseModel):
    # The watch's workflow id as started: spike escalation ids derive from it, and from the
    # input rather than the run's info, so a history replays to the same ids anywhere.
    watch_id: str
    category: Category
    prototype: SpikePrototype
    rule: SpikeRule
    # Carried over continue-as-new: a batch not yet measured, and the spike it knows of.
    pending: datetime | None = None
    spike: OpenSpike | None = None


class MeasureSpikeInput(BaseModel):
    category: Category
    at: datetime  # the window ends here (the newest post's time)
    window: timedelta
    baseline: timedelta
    samples: int
    known_spike_id: str | None = None


class SpikeMeasure(BaseModel):
    category: Category
    at: datetime
    window_count: int  # hot posts in (at - window, at]
    baseline_count: int  # hot posts in the `baseline` before the window
    samples: list[SpikeSample] = []  # the newest of the window
    customers: list[Customer] = []  # distinct customers of the window's hot posts
    open_spike: OpenSpike | None = None  # the newest open spike escalation the store knows
    known_closed: bool = False  # the known spike escalation is closed or in its close stage


class SpikeRecord(BaseModel):
    """The record_spike activity: a spike escalation opened or grown, with its samples."""

    escalation_id: str
    category: Category
    at: datetime
    count: int
    samples: list[str]


class Verdict(StrEnum):
    QUIET = "quiet"
    OPEN = "open"
    GROW = "grow"


def baseline_average(rule: SpikeRule, baseline_count: int) -> float:
    """Hot posts per window, averaged over the baseline."""
    return baseline_count * (rule.window / rule.baseline)


def is_spike(rule: SpikeRule, measure: SpikeMeasure) -> bool:
    count = measure.window_count
    average = baseline_average(rule, measure.baseline_count)
    return rule.enabled and count >= rule.at_least and count >= rule.times_baseline * average


def current_spike(known: OpenSpike | None, measure: SpikeMeasure) -> OpenSpike | None:
    """The open spike escalation: the store's, else the one this watch opened and the store
    does not list yet (its first record may still be on its way)."""
    if measure.open_spike is not None:
        if known is not None and known.escalation_id == measure.open_spike.escalation_id:
            return known if known.last_at >= measure.open_spike.last_at else measure.open_spike
        return measure.open_spike
    return None if known is None or measure.known_closed else known


def assess(rule: SpikeRule, measure: SpikeMeasure, current: OpenSpike | None) -> Verdict:
    if not is_spike(rule, measure):
        return Verdict.QUIET
    if current is None:
        return Verdict.OPEN
    risen = measure.window_count >= current.last_count + rule.at_least
    new_wave = measure.at - current.last_at >= rule.window
    return Verdict.GROW if risen or new_wave else Verdict.QUIET


def spike_escalation_id(watch_id: str, at: datetime) -> str:
    """Deterministic: a watch that replays or retries opens the same one."""
    return escalation_id_for_key(f"spike:{watch_id}:{at.isoformat()}")


def headline(rule: SpikeRule, measure: SpikeMeasure) -> str:
    return (f"Spike: {measure.window_count} hot {measure.category.value} posts in "
            f"{span(rule.window)}")


def spike_request(prototype: SpikePrototype, rule: SpikeRule, measure: SpikeMeasure, *,
                  escalation_id: str, request_id: str) -> EscalationRequest:
    body = CreateEscalationInput(
        title=headline(rule, measure),
        description=_description(rule, measure),
        category=measure.category,
        channel=SourceChannel.API,
        affected_customers=_affected(measure),
        tags=[SPIKE_TAG],
    )
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return EscalationRequest(
        id=escalation_id, request=body, routing=prototype.routing, routing_final=True,
        policy=prototype.policy, links=prototype.links, created_by=prototype.created_by,
        request_id=request_id, request_hash=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def growth(rule: SpikeRule, measure: SpikeMeasure, actor: Actor) -> AttachPostsInput:
    """What a growing spike adds to its escalation: the new count, samples and customers."""
    return AttachPostsInput(
        actor=actor,
        posts=[AttachedPost(source=s.source, author=s.author, posted_at=s.posted_at,
                            customer_id=s.customer.id if s.customer else None)
               for s in measure.samples],
        affected_customers=_affected(measure),
        note=headline(rule, measure) + f" (average {_average(rule, measure)})",
    )


def _affected(measure: SpikeMeasure) -> list[AffectedCustomer]:
    return [AffectedCustomer(id=c.id, name=c.name) for c in measure.customers[:MAX_CUSTOMERS]]


def _average(rule: SpikeRule, measure: SpikeMeasure) -> str:
    average = baseline_average(rule, measure.baseline_count)
    return f"{average:.1f} per {span(rule.window)} over the last {span(rule.baseline)}"


def _description(rule: SpikeRule, measure: SpikeMeasure) -> str:
    start = measure.at - rule.window
    lines = [
        f"{measure.window_count} hot {measure.category.value} posts between "
        f"{start:%Y-%m-%d %H:%M} and {measure.at:%H:%M} UTC; the average is "
        f"{_average(rule, measure)}.",
        "",
        "Sample posts:",
    ]
    lines += [f"- {s.author} ({s.source}): {_cut(s.text)}" for s in measure.samples]
    return "\n".join(lines)


def _cut(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SAMPLE_CHARS else flat[:SAMPLE_CHARS - 1] + "…"


def span(duration: timedelta) -> str:
    """"10 min", "2 h", "7 d": a window as people say it."""
    seconds = int(duration.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
