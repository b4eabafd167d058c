"""The policy file (policy.md): SLA table, teams, routing, signals, triage, templates.

Parsing only; loading a file from disk is the caller's job (domain/ does no I/O).
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.enums import Category, Level, Priority, SourceChannel
from domain.errors import PolicyError
from domain.models import Recipient

PositiveDuration = Annotated[timedelta, Field(gt=timedelta(0))]


class PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoticePolicy(PolicyModel):
    within: PositiveDuration = timedelta(hours=1)


class NotificationPolicy(PolicyModel):
    retry_for: PositiveDuration = timedelta(hours=24)
    block_private_addresses: bool = False
    allowed_hosts: list[str] = []


class PrioritySla(PolicyModel):
    acknowledge_within: PositiveDuration
    update_every: PositiveDuration
    engage_more_after: PositiveDuration
    resolve_within: PositiveDuration
    warn_at: Annotated[float, Field(gt=0, lt=1)] = 0.8
    rca_required: bool = False
    internal_rca_within: PositiveDuration | None = None
    customer_rca_within: PositiveDuration | None = None
    clock: Literal["calendar", "business"] = "calendar"


class TeamContacts(PolicyModel):
    """Who hears about an escalation at each level of the management chain."""

    agent: list[Recipient] = []
    team_lead: list[Recipient] = []
    manager: list[Recipient] = []
    director: list[Recipient] = []

    def at(self, level: Level) -> list[Recipient]:
        return list(getattr(self, level.value))


class Team(PolicyModel):
    name: str
    problem_coordinator: Recipient | None = None
    engagement_lead: Recipient | None = None
    contacts: TeamContacts = TeamContacts()


class RuleWhen(PolicyModel):
    category: list[Category] | None = None
    channel: list[SourceChannel] | None = None
    tags: list[str] | None = None
    customer_vip: bool | None = None
    verified_author: bool | None = None
    followers_at_least: int | None = None
    priority: list[Priority] | None = None


class RuleThen(PolicyModel):
    team: str
    tier: Annotated[int, Field(ge=1, le=3)]
    priority: Priority


class RoutingRule(PolicyModel):
    name: str
    when: RuleWhen = RuleWhen()
    then: RuleThen


class Routing(PolicyModel):
    rules: list[RoutingRule] = []
    default: RuleThen


class RepeatCustomer(PolicyModel):
    within: PositiveDuration = timedelta(days=90)
    at_least: Annotated[int, Field(ge=1)] = 1


class PrioritySignals(PolicyModel):
    verified_author: bool = True
    followers_at_least: int | None = 10_000
    repeat_customer: RepeatCustomer | None = RepeatCustomer()


class Triage(PolicyModel):
    keywords: dict[Category, list[str]] = {}
    hot: list[Category] = []


class Templates(PolicyModel):
    notice: str = (
        "We are aware of an issue affecting {services} and are working on it. "
        "Next update by {next_update_due}."
    )
    status_update: str = "Update on {title}: {message}"
    resolution: str = "{title} is resolved: {summary}"
    rca_shared: str = "Root cause analysis for {title}: {summary}"
    delay_notice: str = (
        "We have not yet been able to resolve your complaint about {title}. "
        "We expect to respond by {final_response_due}."
    )


class Calendar(PolicyModel):
    timezone: str = "UTC"
    workdays: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = [
        "mon", "tue", "wed", "thu", "fri"
    ]
    hours: str = "09:00-17:00"
    holidays: list[str] = []


class ComplaintKind(PolicyModel):
    acknowledge_within: PositiveDuration | None = None
    final_response_within: PositiveDuration | None = None
    delay_notice_before: PositiveDuration | None = None
    clock: Literal["calendar", "business"] = "calendar"


class Policy(PolicyModel):
    notice: NoticePolicy = NoticePolicy()
    notifications: NotificationPolicy = NotificationPolicy()
    priorities: dict[Priority, PrioritySla]
    teams: dict[str, Team]
    routing: Routing
    priority_signals: PrioritySignals = PrioritySignals()
    triage: Triage = Triage()
    templates: Templates = Templates()
    calendar: Calendar = Calendar()
    complaint_kinds: dict[str, ComplaintKind] = {}
    sensitive_categories: list[Category] = [Category.BILLING]

    def sla(self, priority: Priority) -> PrioritySla:
        return self.priorities[priority]

    def team(self, name: str) -> Team | None:
        return self.teams.get(name)


def parse_policy(text: str, *, source: str = "policy") -> Policy:
    """Parse and validate TOML text; PolicyError names the key path and the reason."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        raise PolicyError(f"{source}: " + "; ".join(problems), problems=problems) from exc
