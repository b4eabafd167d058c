"""Spike detection decided from counts (domain.intake.spike)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config.policy_files import load_policy
from domain.enums import Category, Role, SourceChannel
from domain.intake.policy import SpikeRule
from domain.intake.spike import (
    SPIKE_TAG,
    OpenSpike,
    SpikeMeasure,
    SpikePrototype,
    SpikeSample,
    Verdict,
    assess,
    current_spike,
    growth,
    is_spike,
    span,
    spike_escalation_id,
    spike_request,
)
from domain.models import Actor, CreateEscalationInput, Customer
from domain.routing import route
from domain.state import LinkBases

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RULE = SpikeRule()  # 20 in 10 min, 3x the average over 7 days


def measure(count: int, baseline: int = 0, *, at: datetime = AT,
            open_spike: OpenSpike | None = None, known_closed: bool = False) -> SpikeMeasure:
    return SpikeMeasure(category=Category.OUTAGE, at=at, window_count=count,
                        baseline_count=baseline, open_spike=open_spike,
                        known_closed=known_closed)


@pytest.mark.parametrize(("count", "baseline", "rule", "spike"), [
    pytest.param(20, 0, RULE, True, id="at-the-threshold-no-history"),
    pytest.param(19, 0, RULE, False, id="below-the-threshold"),
    # 7 days of 10-minute windows is 1008 windows: 10,080 posts average 10 per window.
    pytest.param(29, 10_080, RULE, False, id="under-3x-the-average"),
    pytest.param(30, 10_080, RULE, True, id="at-3x-the-average"),
    pytest.param(30, 10_080, SpikeRule(times_baseline=0), True, id="baseline-left-out"),
    pytest.param(500, 0, SpikeRule(enabled=False), False, id="disabled"),
])
def test_a_spike_needs_the_count_and_the_rise(count: int, baseline: int, rule: SpikeRule,
                                             spike: bool) -> None:
    assert is_spike(rule, measure(count, baseline)) is spike


OPENED = OpenSpike(escalation_id="esc-spike", last_count=25, last_at=AT)


@pytest.mark.parametrize(("now", "current", "verdict"), [
    pytest.param(measure(25), None, Verdict.OPEN, id="first-spike-opens"),
    pytest.param(measure(30, at=AT + timedelta(minutes=1)), OPENED, Verdict.QUIET,
                 id="next-batch-of-the-same-spike-opens-nothing"),
    pytest.param(measure(45, at=AT + timedelta(minutes=2)), OPENED, Verdict.GROW,
                 id="another-threshold-of-posts-grows-it"),
    pytest.param(measure(21, at=AT + timedelta(minutes=10)), OPENED, Verdict.GROW,
                 id="a-new-wave-after-a-window-grows-it"),
    pytest.param(measure(5, at=AT + timedelta(minutes=2)), OPENED, Verdict.QUIET,
                 id="over"),
])
def test_an_open_spike_escalation_grows_instead_of_a_second_opening(
    now: SpikeMeasure, current: OpenSpike | None, verdict: Verdict
) -> None:
    assert assess(RULE, now, current) is verdict


def test_the_store_s_open_spike_is_the_current_one() -> None:
    stored = OpenSpike(escalation_id="esc-other", last_count=40, last_at=AT)
    assert current_spike(None, measure(0, open_spike=stored)) == stored


def test_a_spike_just_opened_counts_before_the_store_lists_it() -> None:
    assert current_spike(OPENED, measure(0)) == OPENED


def test_a_closed_spike_escalation_is_forgotten() -> None:
    assert current_spike(OPENED, measure(0, known_closed=True)) is None


def test_the_later_report_of_one_spike_wins() -> None:
    later = OPENED.model_copy(update={"last_count": 60, "last_at": AT + timedelta(minutes=3)})
    assert current_spike(later, measure(0, open_spike=OPENED)) == later


def test_the_spike_escalation_names_the_count_and_quotes_the_samples() -> None:
    policy = load_policy(None)
    prototype = SpikePrototype(
        policy=policy.snapshot(), links=LinkBases(), created_by="spike watch",
        routing=route(policy, CreateEscalationInput(title="s", category=Category.OUTAGE)))
    samples = [SpikeSample(source=f"twitter:{n}", author=f"@u{n}", text=f"down {n}",
                           posted_at=AT, customer=Customer(id=f"c{n}"))
               for n in range(2)]
    now = measure(25).model_copy(update={"samples": samples, "customers": [
        s.customer for s in samples]})
    request = spike_request(prototype, RULE, now, escalation_id="esc-x", request_id="r")
    body = request.request
    assert body.title == "Spike: 25 hot outage posts in 10 min"
    assert (body.tags, body.channel) == ([SPIKE_TAG], SourceChannel.API)
    assert "@u1 (twitter:1): down 1" in body.description
    assert [c.id for c in body.affected_customers] == ["c0", "c1"]
    assert request.routing.team == "sre"
    grown = growth(RULE, now, Actor(name="spike watch", role=Role.SYSTEM))
    assert [p.source for p in grown.posts] == ["twitter:0", "twitter:1"]
    assert grown.note.startswith("Spike: 25 hot outage posts in 10 min")


def test_a_spike_escalation_id_is_the_same_on_every_replay() -> None:
    assert spike_escalation_id("w", AT) == spike_escalation_id("w", AT)
    assert spike_escalation_id("w", AT) != spike_escalation_id("w", AT + timedelta(seconds=1))


@pytest.mark.parametrize(("duration", "text"), [
    (timedelta(minutes=10), "10 min"), (timedelta(hours=2), "2 h"), (timedelta(days=7), "7 d"),
    (timedelta(seconds=90), "90 s"),
])
def test_windows_read_as_people_say_them(duration: timedelta, text: str) -> None:
    assert span(duration) == text
