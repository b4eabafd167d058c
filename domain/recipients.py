"""Who hears about what: recipients resolved from the escalation and its policy snapshot."""

from __future__ import annotations

from datetime import datetime

from domain.enums import Audience, ContactChannel, Level
from domain.models import EscalationView, Recipient
from domain.reach import Reach, Unreached
from domain.reach import reach as reach
from domain.state import EscalationState
from domain.templates import render

# Customer notices about sensitive matters never go to a channel others can read.
PRIVATE_CHANNELS = frozenset({ContactChannel.EMAIL, ContactChannel.WEBHOOK})


def team_contacts(state: EscalationState, level: Level, team: str | None = None) -> list[Recipient]:
    policy_team = state.policy.team(team or state.team)
    return policy_team.contacts.at(level) if policy_team else []


def owner_contacts(state: EscalationState) -> list[Recipient]:
    """The owner by name when the team lists them, else the team's front line."""
    policy_team = state.policy.team(state.team)
    if policy_team is None:
        return []
    if state.owner:
        for level in Level:
            named = [c for c in policy_team.contacts.at(level) if c.name == state.owner]
            if named:
                return named
    return policy_team.contacts.at(Level.AGENT)


def stakeholders(state: EscalationState) -> list[Recipient]:
    return list(state.stakeholders)


def customers(state: EscalationState) -> list[Recipient]:
    sensitive = state.policy.is_sensitive(state.category, state.tags)
    found: list[Recipient] = []
    for customer in state.affected_customers:
        contact = customer.contact
        if contact is None or (sensitive and contact.channel not in PRIVATE_CHANNELS):
            continue
        found.append(
            Recipient(
                name=customer.name or customer.id,
                role="customer",
                channel=contact.channel,
                address=contact.address,
            )
        )
    return found


def customer_reach(state: EscalationState) -> Reach:
    """Affected customers with a contact they may be told on, and why each other one is not."""
    if not state.affected_customers:
        return reach([], "the escalation has no affected customers (add them with details)")
    sensitive = state.policy.is_sensitive(state.category, state.tags)
    unreached: list[Unreached] = []
    for customer in state.affected_customers:
        name = customer.name or customer.id
        if customer.contact is None:
            unreached.append(Unreached(name=name, reason="has no contact"))
        elif sensitive and customer.contact.channel not in PRIVATE_CHANNELS:
            unreached.append(Unreached(
                name=name, reason=f"has only a {customer.contact.channel.value} contact, and "
                "this matter is private: customers hear about it by e-mail or webhook only"))
    found = customers(state)
    nobody = "no affected customer can be reached: " + "; ".join(
        f"{u.name} {u.reason}" for u in unreached)
    return Reach(recipients=found, unreached=unreached, nobody=nobody)


def stakeholder_reach(state: EscalationState) -> Reach:
    return reach(stakeholders(state), "the escalation has no internal stakeholders (add them "
                 "with details)")


def audience_reach(state: EscalationState, audience: Audience) -> Reach:
    if audience is Audience.CUSTOMERS:
        return customer_reach(state)
    return stakeholder_reach(state)


def team_reach(state: EscalationState, level: Level) -> Reach:
    return reach(team_contacts(state, level),
                 f"team {state.team} lists no {level.value} contacts in the policy")


def owner_reach(state: EscalationState) -> Reach:
    who = f"the owner {state.owner!r}" if state.owner else "the team's front line"
    return reach(owner_contacts(state), f"team {state.team} lists no contact for {who}")


def coordinator_reach(state: EscalationState) -> Reach:
    return reach(problem_coordinator(state),
                 f"team {state.team} has no problem_coordinator in the policy")


def engagement_lead_reach(state: EscalationState) -> Reach:
    return reach(engagement_lead(state), f"team {state.team} has no engagement_lead in the policy")


def problem_coordinator(state: EscalationState) -> list[Recipient]:
    team = state.policy.team(state.team)
    return [team.problem_coordinator] if team and team.problem_coordinator else []


def engagement_lead(state: EscalationState) -> list[Recipient]:
    team = state.policy.team(state.team)
    return [team.engagement_lead] if team and team.engagement_lead else []


def when(at: datetime | None) -> str:
    """An instant as every message writes it; messages leave the service in UTC."""
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "to be announced"


def _values(escalation: EscalationState | EscalationView, link: str, **extra: str
            ) -> dict[str, str]:
    customer = escalation.customer.name or escalation.customer.id if escalation.customer else ""
    return {
        "id": escalation.id,
        "title": escalation.title,
        "priority": escalation.priority.value,
        "team": escalation.team,
        "stage": escalation.stage.value,
        "status": escalation.status.value,
        "customer": customer or "",
        "services": ", ".join(escalation.affected_services) or "our service",
        "next_update_due": when(escalation.deadlines.next_update_due),
        "resolve_due": when(escalation.deadlines.resolve_due),
        "final_response_due": when(escalation.deadlines.final_response_due),
        "link": link,
        "message": "",
        "summary": "",
        **extra,
    }


def template_values(state: EscalationState, **extra: str) -> dict[str, str]:
    return _values(state, state.links.links_for(state.id).temporal_ui, **extra)


def customer_preview(template: str, view: EscalationView, **extra: str) -> str:
    """A customer message as it will read, from the view (the console's preview); customers
    get no internal link, so `{link}` stays empty."""
    return render(template, _values(view, "", **extra))


def fill(template: str, state: EscalationState, **extra: str) -> str:
    return render(template, template_values(state, **extra))
