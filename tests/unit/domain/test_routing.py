"""Routing by ordered rules, first match wins, then priority signals; every step in reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from domain.enums import Category, Priority, SourceChannel, Temperature
from domain.models import CreateEscalationInput, Customer, Source
from domain.policy import Policy, parse_policy
from domain.routing import apply_repeat_customer, route

TEAMS = "\n".join(f'[teams.{t}]\nname = "{t}"' for t in ("sre", "billing", "support", "legal"))
SLA = "\n".join(
    f'[priorities.{p}]\nacknowledge_within = "PT1H"\nupdate_every = "PT1H"\n'
    f'engage_more_after = "PT2H"\nresolve_within = "PT4H"'
    for p in ("P1", "P2", "P3", "P4")
)
RULES = """
[[routing.rules]]
name = "requested-p1"
when = { priority = ["P1"] }
then = { team = "sre", tier = 3, priority = "P1" }

[[routing.rules]]
name = "outage"
when = { category = ["outage"] }
then = { team = "sre", tier = 3, priority = "P1" }

[[routing.rules]]
name = "billing-vip"
when = { category = ["billing"], customer_vip = true }
then = { team = "billing", tier = 2, priority = "P1" }

[[routing.rules]]
name = "billing"
when = { category = ["billing"] }
then = { team = "billing", tier = 2, priority = "P2" }

[[routing.rules]]
name = "legal"
when = { tags = ["legal", "lawsuit"] }
then = { team = "legal", tier = 3, priority = "P2" }

[[routing.rules]]
name = "influencer-callout"
when = { category = ["callout"], followers_at_least = 50000 }
then = { team = "support", tier = 2, priority = "P2" }

[[routing.rules]]
name = "verified-callout"
when = { category = ["callout"], verified_author = true }
then = { team = "support", tier = 2, priority = "P3" }

[[routing.rules]]
name = "phone"
when = { channel = ["phone", "chat"] }
then = { team = "support", tier = 1, priority = "P3" }

[[routing.rules]]
name = "non-vip-question"
when = { category = ["question"], customer_vip = false }
then = { team = "support", tier = 1, priority = "P4" }

[routing.default]
team = "support"
tier = 1
priority = "P4"

[triage]
hot = ["outage", "billing", "callout"]
"""


def _policy(signals: str) -> Policy:
    return parse_policy("\n".join((SLA, TEAMS, RULES, "[priority_signals]", signals)))


POLICY = _policy('verified_author = true\nfollowers_at_least = 10000\n'
                 'repeat_customer = { within = "P90D", at_least = 2 }')
NO_SIGNALS = _policy("verified_author = false\nfollowers_at_least = 10000\nrepeat_customer = {}")


@dataclass
class Case:
    name: str
    category: Category
    rule: str
    team: str
    priority: Priority
    reason: str  # a step that must be explained
    channel: SourceChannel = SourceChannel.EMAIL
    requested: Priority | None = None
    vip: bool | None = None  # None: no customer
    verified: bool = False
    followers: int | None = None  # None: no source
    tags: list[str] = field(default_factory=list)
    prior: int = 0
    tier: int | None = None


CASES = [
    Case("outage rule", Category.OUTAGE, "outage", "sre", Priority.P1, "category=outage", tier=3),
    Case("signal cannot pass P1", Category.OUTAGE, "outage", "sre", Priority.P1,
         "verified author: already P1", verified=True, followers=10),
    Case("billing and vip", Category.BILLING, "billing-vip", "billing", Priority.P1,
         "customer is VIP", vip=True, tier=2),
    Case("billing, not vip: next rule", Category.BILLING, "billing", "billing", Priority.P2,
         "rule 'billing' matched", vip=False),
    Case("billing without a customer", Category.BILLING, "billing", "billing", Priority.P2,
         "category=billing"),
    Case("requested priority overrides the rule", Category.BILLING, "billing-vip", "billing",
         Priority.P4, "priority P4 requested: overrides P1", vip=True, requested=Priority.P4),
    Case("requested priority is a condition", Category.QUESTION, "requested-p1", "sre",
         Priority.P1, "priority P1 requested", requested=Priority.P1),
    Case("requested P1 wins the tie with outage", Category.OUTAGE, "requested-p1", "sre",
         Priority.P1, "rule 'requested-p1' matched", requested=Priority.P1),
    Case("requested P2 does not match the P1 rule", Category.OUTAGE, "outage", "sre",
         Priority.P2, "overrides P1", requested=Priority.P2),
    Case("requested priority silences signals", Category.FEEDBACK, "default", "support",
         Priority.P4, "priority signals not applied", requested=Priority.P4, verified=True,
         followers=99_999, prior=5),
    Case("tag any-of", Category.FEEDBACK, "legal", "legal", Priority.P2, "tags include legal",
         tags=["x", "legal"]),
    Case("tags ignore case", Category.FEEDBACK, "legal", "legal", Priority.P2,
         "tags include LAWSUIT", tags=["LAWSUIT"]),
    Case("no tag in common", Category.FEEDBACK, "default", "support", Priority.P4,
         "no rule matched", tags=["press"]),
    Case("follower rule at the threshold, then the signal", Category.CALLOUT,
         "influencer-callout", "support", Priority.P1,
         "author has 50000 followers (>= 10000): P2 -> P1", followers=50_000),
    Case("follower rule above the threshold", Category.CALLOUT, "influencer-callout", "support",
         Priority.P1, "author has 60000 followers (>= 50000)", followers=60_000),
    Case("below the rule's threshold, signal still holds", Category.CALLOUT, "default",
         "support", Priority.P3, "author has 49999 followers (>= 10000): P4 -> P3",
         followers=49_999),
    Case("verified rule then verified signal", Category.CALLOUT, "verified-callout", "support",
         Priority.P2, "verified author: P3 -> P2", verified=True, followers=100),
    Case("first match wins over the verified rule", Category.CALLOUT, "influencer-callout",
         "support", Priority.P1, "author has 60000 followers (>= 10000): already P1",
         verified=True, followers=60_000),
    Case("unverified callout, small author", Category.CALLOUT, "default", "support",
         Priority.P4, "no rule matched", followers=10),
    Case("channel rule", Category.QUESTION, "phone", "support", Priority.P3, "channel=phone",
         channel=SourceChannel.PHONE),
    Case("channel any-of", Category.FEEDBACK, "phone", "support", Priority.P3, "channel=chat",
         channel=SourceChannel.CHAT),
    Case("first match wins over the channel rule", Category.OUTAGE, "outage", "sre",
         Priority.P1, "category=outage", channel=SourceChannel.PHONE),
    Case("customer_vip = false holds without a customer", Category.QUESTION, "non-vip-question",
         "support", Priority.P4, "customer is not VIP"),
    Case("customer_vip = false fails for a vip", Category.QUESTION, "default", "support",
         Priority.P4, "routed to team support, tier 1, priority P4", vip=True),
    Case("catch-all default", Category.FEEDBACK, "default", "support", Priority.P4,
         "no rule matched: [routing.default]", tier=1),
    Case("verified signal", Category.FEEDBACK, "default", "support", Priority.P3,
         "verified author: P4 -> P3", verified=True, followers=0),
    Case("two signals, two steps", Category.FEEDBACK, "default", "support", Priority.P2,
         "author has 20000 followers (>= 10000): P3 -> P2", verified=True, followers=20_000),
    Case("repeat customer", Category.FEEDBACK, "default", "support", Priority.P3,
         "repeat customer (2 prior escalations within P90D): P4 -> P3", prior=2),
    Case("repeat customer below at_least", Category.FEEDBACK, "default", "support", Priority.P4,
         "no rule matched", prior=1),
    Case("three signals reach P1", Category.FEEDBACK, "default", "support", Priority.P1,
         "repeat customer (3 prior escalations within P90D): P2 -> P1", verified=True,
         followers=10_000, prior=3),
    Case("four steps stop at P1", Category.BILLING, "billing", "billing", Priority.P1,
         "repeat customer (2 prior escalations within P90D): already P1", verified=True,
         followers=10_000, prior=2),
    Case("no source, no signals", Category.QUESTION, "non-vip-question", "support",
         Priority.P4, "routed to team support"),
]


def _request(case: Case) -> CreateEscalationInput:
    extra: dict[str, Any] = {}
    if case.vip is not None:
        extra["customer"] = Customer(id="cust-1", vip=case.vip)
    if case.followers is not None:
        extra["source"] = Source(author="@a", verified=case.verified, followers=case.followers)
    elif case.verified:
        extra["source"] = Source(author="@a", verified=True)
    return CreateEscalationInput(
        title="t", category=case.category, channel=case.channel, priority=case.requested,
        tags=case.tags, **extra,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_route_and_signals(case: Case) -> None:
    decision = apply_repeat_customer(route(POLICY, _request(case)), POLICY, case.prior)
    assert (decision.rule, decision.team, decision.priority) == (
        case.rule, case.team, case.priority
    )
    if case.tier is not None:
        assert decision.tier == case.tier
    assert any(case.reason in r for r in decision.reasons), decision.reasons


DISABLED = [
    Case("verified_author = false", Category.FEEDBACK, "default", "support", Priority.P4,
         "no rule matched", verified=True, followers=0),
    Case("repeat_customer with defaults (at_least 1)", Category.FEEDBACK, "default", "support",
         Priority.P3, "repeat customer (1 prior escalations within P90D)", prior=1),
]


@pytest.mark.parametrize("case", DISABLED, ids=[c.name for c in DISABLED])
def test_signals_follow_the_policy(case: Case) -> None:
    decision = apply_repeat_customer(route(NO_SIGNALS, _request(case)), NO_SIGNALS, case.prior)
    assert decision.priority == case.priority
    assert any(case.reason in r for r in decision.reasons), decision.reasons


def test_signals_switched_off_entirely() -> None:
    policy = _policy("verified_author = false")
    policy = policy.model_copy(update={"priority_signals": policy.priority_signals.model_copy(
        update={"followers_at_least": None, "repeat_customer": None})})
    case = Case("all off", Category.FEEDBACK, "default", "support", Priority.P4, "",
                verified=True, followers=10**9, prior=9)
    decision = apply_repeat_customer(route(policy, _request(case)), policy, case.prior)
    assert decision.priority is Priority.P4
    assert len(decision.reasons) == 2  # the rule and the routing, nothing else


@pytest.mark.parametrize(
    ("category", "temperature"),
    [(Category.OUTAGE, Temperature.HOT), (Category.BILLING, Temperature.HOT),
     (Category.QUESTION, Temperature.COLD), (Category.SALES_OPPORTUNITY, Temperature.COLD)],
)
def test_temperature_follows_the_hot_list(category: Category, temperature: Temperature) -> None:
    request = CreateEscalationInput(title="t", category=category)
    assert route(POLICY, request).temperature is temperature


def test_requested_priority_is_locked_against_repeat_customer() -> None:
    request = CreateEscalationInput(title="t", category=Category.FEEDBACK, priority=Priority.P3)
    decision = route(POLICY, request)
    assert decision.priority_locked
    assert apply_repeat_customer(decision, POLICY, 10) == decision
