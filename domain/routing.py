"""Routing by ordered rules (first match wins) and priority signals (policy.md)."""

from __future__ import annotations

from pydantic import BaseModel

from domain.enums import Category, Priority, Temperature
from domain.models import CreateEscalationInput
from domain.policy import Policy, RuleWhen


class RoutingDecision(BaseModel):
    rule: str
    team: str
    tier: int
    priority: Priority
    temperature: Temperature
    reasons: list[str]
    priority_locked: bool = False  # the request named a priority: signals do not move it


def _matches(when: RuleWhen, request: CreateEscalationInput) -> list[str] | None:
    """The reasons a rule matches, or None when one of its tests fails."""
    reasons: list[str] = []
    source = request.source
    if when.category is not None:
        if request.category not in when.category:
            return None
        reasons.append(f"category={request.category.value}")
    if when.channel is not None:
        if request.channel not in when.channel:
            return None
        reasons.append(f"channel={request.channel.value}")
    if when.tags is not None:
        hit = sorted(set(when.tags) & set(request.tags))
        if not hit:
            return None
        reasons.append("tags:" + ",".join(hit))
    if when.customer_vip is not None:
        vip = bool(request.customer and request.customer.vip)
        if vip != when.customer_vip:
            return None
        reasons.append("customer.vip" if vip else "customer not vip")
    if when.verified_author is not None:
        verified = bool(source and source.verified)
        if verified != when.verified_author:
            return None
        reasons.append("source.verified" if verified else "source not verified")
    if when.followers_at_least is not None:
        followers = source.followers if source else 0
        if followers < when.followers_at_least:
            return None
        reasons.append(f"source.followers>={when.followers_at_least}")
    if when.priority is not None:
        if request.priority not in when.priority:
            return None
        reasons.append(f"priority={request.priority}")
    return reasons


def temperature_of(policy: Policy, category: Category) -> Temperature:
    return Temperature.HOT if category in policy.triage.hot else Temperature.COLD


def route(policy: Policy, request: CreateEscalationInput) -> RoutingDecision:
    rule_name, then, reasons = "default", policy.routing.default, ["no rule matched"]
    for rule in policy.routing.rules:
        matched = _matches(rule.when, request)
        if matched is not None:
            rule_name, then, reasons = rule.name, rule.then, matched
            break
    priority = then.priority
    if request.priority is not None:
        reasons.append(f"priority {request.priority.value} requested (overrides {priority.value})")
        priority = request.priority
    else:
        signals = policy.priority_signals
        source = request.source
        if signals.verified_author and source and source.verified:
            priority = _raise(priority, "verified author", reasons)
        if (
            signals.followers_at_least is not None
            and source
            and source.followers >= signals.followers_at_least
        ):
            priority = _raise(
                priority, f"author has >= {signals.followers_at_least} followers", reasons
            )
    return RoutingDecision(
        rule=rule_name,
        team=then.team,
        tier=then.tier,
        priority=priority,
        temperature=temperature_of(policy, request.category),
        reasons=reasons,
        priority_locked=request.priority is not None,
    )


def _raise(priority: Priority, why: str, reasons: list[str]) -> Priority:
    raised = priority.raised()
    if raised is priority:
        reasons.append(f"{why} (already {priority.value})")
    else:
        reasons.append(f"{why}: {priority.value}->{raised.value}")
    return raised


def apply_repeat_customer(
    decision: RoutingDecision, policy: Policy, prior_escalations: int
) -> RoutingDecision:
    """Raise one step when the customer escalated before inside the policy's window."""
    signal = policy.priority_signals.repeat_customer
    if decision.priority_locked or signal is None or prior_escalations < signal.at_least:
        return decision
    reasons = list(decision.reasons)
    priority = _raise(
        decision.priority, f"repeat customer ({prior_escalations} prior escalations)", reasons
    )
    return decision.model_copy(update={"priority": priority, "reasons": reasons})
