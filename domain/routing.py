"""Routing by ordered rules (first match wins) and priority signals (policy.md).

Every step lands in `reasons`, in order, so the timeline and the triage answer can say why an
escalation went where it went: the rule and the tests that held, then each signal.
"""

from __future__ import annotations

from pydantic import BaseModel

from domain.enums import Category, Priority, Temperature
from domain.models import CreateEscalationInput, EscalationView, Rerouting
from domain.policy import Policy, RuleWhen, iso_duration


class RoutingDecision(BaseModel):
    rule: str
    team: str
    tier: int
    priority: Priority
    temperature: Temperature
    reasons: list[str]
    priority_locked: bool = False  # the request named a priority: signals do not move it


def _matches(when: RuleWhen, request: CreateEscalationInput) -> list[str] | None:
    """The tests of a rule that held, or None when one of them fails."""
    held: list[str] = []
    source = request.source
    if when.category is not None:
        if request.category not in when.category:
            return None
        held.append(f"category={request.category.value}")
    if when.channel is not None:
        if request.channel not in when.channel:
            return None
        held.append(f"channel={request.channel.value}")
    if when.tags is not None:
        # Tags are typed by people: "VIP" and "vip" are the same tag.
        wanted = {t.casefold() for t in when.tags}
        hit = sorted({t for t in request.tags if t.casefold() in wanted})
        if not hit:
            return None
        held.append("tags include " + ", ".join(hit))
    if when.customer_vip is not None:
        vip = bool(request.customer and request.customer.vip)
        if vip != when.customer_vip:
            return None
        held.append("customer is VIP" if vip else "customer is not VIP")
    if when.verified_author is not None:
        verified = bool(source and source.verified)
        if verified != when.verified_author:
            return None
        held.append("author is verified" if verified else "author is not verified")
    if when.followers_at_least is not None:
        followers = source.followers if source else 0
        if followers < when.followers_at_least:
            return None
        held.append(f"author has {followers} followers (>= {when.followers_at_least})")
    if when.priority is not None:
        if request.priority not in when.priority:
            return None
        held.append(f"priority {request.priority} requested")
    return held


def temperature_of(policy: Policy, category: Category) -> Temperature:
    return Temperature.HOT if category in policy.triage.hot else Temperature.COLD


def route(policy: Policy, request: CreateEscalationInput) -> RoutingDecision:
    """Team, tier and priority from the first matching rule, then the request's own signals.

    The repeat-customer signal needs the customer's history, which the store holds:
    `apply_repeat_customer` adds it afterwards, once the caller has counted it.
    """
    rule_name, then = "default", policy.routing.default
    reasons = ["no rule matched: [routing.default]"]
    for rule in policy.routing.rules:
        held = _matches(rule.when, request)
        if held is not None:
            rule_name, then = rule.name, rule.then
            tests = "; ".join(held) if held else "it has no conditions"
            reasons = [f"rule {rule.name!r} matched: {tests}"]
            break
    reasons.append(f"routed to team {then.team}, tier {then.tier}, priority {then.priority.value}")
    priority = then.priority
    if request.priority is not None:
        reasons.append(
            f"priority {request.priority.value} requested: overrides {priority.value}; "
            "priority signals not applied"
        )
        priority = request.priority
    else:
        signals, source = policy.priority_signals, request.source
        if signals.verified_author and source and source.verified:
            priority = _raise(priority, "verified author", reasons)
        threshold = signals.followers_at_least
        if threshold is not None and source and source.followers >= threshold:
            priority = _raise(
                priority, f"author has {source.followers} followers (>= {threshold})", reasons
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
        reasons.append(f"{why}: already {priority.value}")
    else:
        reasons.append(f"{why}: {priority.value} -> {raised.value}")
    return raised


def apply_repeat_customer(
    decision: RoutingDecision, policy: Policy, prior_escalations: int
) -> RoutingDecision:
    """Raise one step when the customer escalated before inside the policy's window.

    `prior_escalations` counts the customer's escalations within `repeat_customer.within`
    (the API looks it up before the start); a requested priority is never moved.
    """
    signal = policy.priority_signals.repeat_customer
    if decision.priority_locked or signal is None or prior_escalations < signal.at_least:
        return decision
    reasons = list(decision.reasons)
    window = iso_duration(signal.within)
    why = f"repeat customer ({prior_escalations} prior escalations within {window})"
    priority = _raise(decision.priority, why, reasons)
    return decision.model_copy(update={"priority": priority, "reasons": reasons})


def reroute(policy: Policy, view: EscalationView, *, category: Category | None,
            priority: Priority | None) -> Rerouting:
    """The rules again for an escalation re-triaged to a new category or priority (issue 22).
    The priority is the one the escalation has or gets: signals do not move it again."""
    request = CreateEscalationInput(
        title=view.title, category=category or view.category, priority=priority or view.priority,
        channel=view.channel, customer=view.customer, source=view.source, tags=view.tags)
    decision = route(policy, request)
    return Rerouting(rule=decision.rule, team=decision.team, tier=decision.tier,
                     reasons=decision.reasons)
