"""The policy file (policy.md): SLA table, teams, routing, signals, triage, templates.

Parsing only; loading a file from disk is the caller's job (domain/ does no I/O). Every
refusal names the key path and the reason, e.g.
`routing.rules[2].then.team: team 'x' is not defined in [teams]`. Checks that span sections
(teams named by rules, unreachable rules) run once every section is valid on its own.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from domain.calendar import Calendar, PositiveDuration, iso_duration
from domain.complaint_policy import (
    COMPLAINT_TEMPLATE_NEEDS,
    ComplaintKind,
    Complaints,
    complaints_problems,
)
from domain.enums import Category, Level, Priority, SourceChannel
from domain.errors import PolicyError
from domain.hosts import parse_rules
from domain.idr_mapping import IdrMapping
from domain.intake.policy import IntakePolicy
from domain.models import Recipient
from domain.policy_base import PolicyModel
from domain.related_systems import ProblemRecords, RelatedSystem, systems_problems
from domain.saved_replies import SavedReply, library_problems
from domain.templates import TemplateText, placeholders_in

__all__ = ["Calendar", "Policy", "PolicyError", "PolicyModel", "iso_duration", "parse_policy",
           "validate_policy"]

_KEY = re.compile(r"^[a-z0-9_-]{1,60}$")
_KIND = re.compile(r"^[a-z0-9_]{1,60}$")


def _key(value: str) -> str:
    if not _KEY.match(value):
        raise ValueError(
            f"{value!r}: use lower-case letters, digits, '-' and '_' (it appears in API requests)"
        )
    return value


def _kind_key(value: str) -> str:
    if not _KIND.match(value):
        raise ValueError(f"{value!r}: use lower-case letters, digits and '_'")
    return value


TeamKey = Annotated[str, AfterValidator(_key)]
KindKey = Annotated[str, AfterValidator(_kind_key)]
Label = Annotated[str, Field(min_length=1, max_length=120)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Keyword = Annotated[str, Field(max_length=100), AfterValidator(_not_blank)]


Host = Annotated[str, Field(min_length=1, max_length=255)]


class NoticePolicy(PolicyModel):
    within: PositiveDuration = timedelta(hours=1)


class NotificationPolicy(PolicyModel):
    retry_for: PositiveDuration = timedelta(hours=24)
    block_private_addresses: bool = False
    allowed_hosts: Annotated[list[Host], Field(max_length=500)] = []

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts_parse(cls, value: list[str]) -> list[str]:
        parse_rules(value)  # a bad entry fails `policy check`, not the first delivery
        return value


class PausePolicy(PolicyModel):
    """How long a priority's SLA clocks may stand paused in all (issue 22); None: no cap."""

    max_total: PositiveDuration | None = None


class PrioritySla(PolicyModel):
    acknowledge_within: PositiveDuration
    update_every: PositiveDuration
    engage_more_after: PositiveDuration
    resolve_within: PositiveDuration
    warn_at: float = 0.8
    rca_required: bool = False
    internal_rca_within: PositiveDuration | None = None
    customer_rca_within: PositiveDuration | None = None
    # The resolve gates (issue 20): how long a declared resolution may wait for the engineers'
    # verification, and a verified one for the engagement lead's confirmation of customer
    # access; a reminder at warn_at of each, an automatic escalation when it passes.
    verify_within: PositiveDuration
    confirm_within: PositiveDuration
    clock: Literal["calendar", "business"] = "calendar"
    pause: PausePolicy = PausePolicy()

    @model_validator(mode="before")
    @classmethod
    def _gate_defaults(cls, data: Any) -> Any:
        """A table without the gate keys (a policy written before them, or the snapshot of an
        escalation opened before them) still gives every gate a clock: the time this priority
        gives anyone to pick up what is asked of them (acknowledge_within) for verification,
        one status-update interval (update_every) for the customer's confirmation."""
        if isinstance(data, dict):
            defaults = {"verify_within": data.get("acknowledge_within"),
                        "confirm_within": data.get("update_every")}
            data = {**{k: v for k, v in defaults.items() if v is not None}, **data}
        return data

    @field_validator("warn_at")
    @classmethod
    def _fraction(cls, value: float) -> float:
        # 0 would warn at creation and 1 at the breach itself: neither is a warning.
        if not 0 < value < 1:
            raise ValueError(f"must be between 0 and 1, exclusive (e.g. 0.8), got {value}")
        return value


class TeamContacts(PolicyModel):
    """Who hears about an escalation at each level of the management chain."""

    agent: list[Recipient] = []
    team_lead: list[Recipient] = []
    manager: list[Recipient] = []
    director: list[Recipient] = []

    def at(self, level: Level) -> list[Recipient]:
        return list(getattr(self, level.value))


class Team(PolicyModel):
    name: Label
    problem_coordinator: Recipient | None = None
    engagement_lead: Recipient | None = None
    contacts: TeamContacts = TeamContacts()
    problem_records: ProblemRecords | None = None  # where a problem record opens after the RCA


NonEmpty = Field(min_length=1)  # an empty any-of list could never match


class RuleWhen(PolicyModel):
    """Every test that is set must hold; lists are any-of."""

    category: Annotated[list[Category], NonEmpty] | None = None
    channel: Annotated[list[SourceChannel], NonEmpty] | None = None
    tags: Annotated[list[Keyword], NonEmpty] | None = None
    customer_vip: bool | None = None
    verified_author: bool | None = None
    followers_at_least: Annotated[int, Field(ge=0)] | None = None
    priority: Annotated[list[Priority], NonEmpty] | None = None  # as requested

    def covers(self, later: RuleWhen) -> bool:
        """True when every request `later` matches also matches self, so a rule with `later`
        placed after one with self can never be reached."""
        return (
            _any_of_covers(self.category, later.category)
            and _any_of_covers(self.channel, later.channel)
            and _any_of_covers(self.tags, later.tags)
            and _any_of_covers(self.priority, later.priority)
            and self.customer_vip in (None, later.customer_vip)
            and self.verified_author in (None, later.verified_author)
            and (
                self.followers_at_least is None
                or (later.followers_at_least or 0) >= self.followers_at_least
            )
        )


def _any_of_covers(first: Sequence[object] | None, later: Sequence[object] | None) -> bool:
    return first is None or (later is not None and set(later) <= set(first))


class RuleThen(PolicyModel):
    team: str
    tier: Annotated[int, Field(ge=1, le=3)]
    priority: Priority


class RoutingRule(PolicyModel):
    name: Label
    when: RuleWhen = RuleWhen()
    then: RuleThen


class Routing(PolicyModel):
    rules: Annotated[list[RoutingRule], Field(max_length=500)] = []
    default: RuleThen


class RepeatCustomer(PolicyModel):
    within: PositiveDuration = timedelta(days=90)
    at_least: Annotated[int, Field(ge=1)] = 1


class PrioritySignals(PolicyModel):
    verified_author: bool = True
    followers_at_least: Annotated[int, Field(ge=1)] | None = 10_000
    repeat_customer: RepeatCustomer | None = RepeatCustomer()


class Triage(PolicyModel):
    keywords: dict[Category, Annotated[list[Keyword], Field(max_length=500)]] = {}
    hot: list[Category] = []
    # No keyword hit says nothing about the post, so it is "other", not a guess at "question".
    fallback: Category = Category.OTHER


Template = TemplateText


class Templates(PolicyModel):
    """Customer-facing texts: every one of them may go to affected customers.

    Plain sentences and blank lines between paragraphs read well in all three channels (plain
    text, HTML e-mail, Slack blocks); the channels add the subject and, for internal readers
    only, the facts and links.
    """

    notice: Template = (
        "We are aware of an issue affecting {services} and are working on it.\n\n"
        "We will send our next update by {next_update_due}."
    )
    status_update: Template = (
        "{message}\n\nWe will send our next update by {next_update_due}."
    )
    resolution: Template = "{title} is resolved.\n\n{summary}"
    rca_shared: Template = "What happened with {title}, and what we changed:\n\n{summary}"
    delay_notice: Template = (
        "We have not yet been able to resolve your complaint about {title} "
        "(reference {id}).\n\nWe expect to respond by {final_response_due}."
    )
    complaint_acknowledgement: Template = (
        "We received your complaint about {title} on {received_at}. Your reference is "
        "{complaint_reference}. We will respond by {final_response_due}."
    )
    idr_response: Template = (
        "Our final response to your complaint {complaint_reference} about {title}: {outcome}. "
        "{reasons} {afca}"
    )

    @field_validator("*")
    @classmethod
    def _carry_their_text(cls, value: str, info: ValidationInfo) -> str:
        found = placeholders_in(value)
        needed = _MUST_CARRY.get(info.field_name or "")
        if needed is not None and needed not in found:
            raise ValueError(f"must contain {{{needed}}}, or the text it exists for never "
                             "reaches anyone")
        if "link" in found:
            raise ValueError("{link} is an internal link (the Temporal UI), and this template "
                             "is sent to customers")
        return value


# Each template must carry the text its event exists for ("a status update carries its text").
_MUST_CARRY = {"status_update": "message", "resolution": "summary", "rca_shared": "summary"}


# Policy._shared: validated policies by their canonical JSON. Sharing is safe because a policy
# is a frozen value (see PolicyModel.__deepcopy__); bounded because each edit of the policy
# file adds one.
_SHARED: dict[str, Policy] = {}
_SHARED_LIMIT = 16


class Policy(PolicyModel):
    notice: NoticePolicy = NoticePolicy()
    notifications: NotificationPolicy = NotificationPolicy()
    priorities: dict[Priority, PrioritySla]
    teams: Annotated[dict[TeamKey, Team], Field(min_length=1)]
    routing: Routing
    priority_signals: PrioritySignals = PrioritySignals()
    triage: Triage = Triage()
    templates: Templates = Templates()
    calendar: Calendar = Calendar()
    complaint_kinds: dict[KindKey, ComplaintKind] = {}
    complaints: Complaints = Complaints()
    idr: IdrMapping | None = None  # the IDR data file's columns (domain.idr_mapping)
    intake: IntakePolicy = IntakePolicy()  # social intake: grouping and spikes (API only)
    # Customer notices about these go to private channels only (email, webhook). The Category
    # enum has no "account" or "health" category, so such matters are marked by tags instead.
    sensitive_categories: list[Category] = [Category.BILLING]
    sensitive_tags: list[Keyword] = ["account", "health", "health_data"]
    related_systems: Annotated[list[RelatedSystem], Field(max_length=50)] = []
    # The library agents answer from (issue 22); travels in the snapshot like the templates.
    saved_replies: Annotated[list[SavedReply], Field(max_length=200)] = []

    @field_validator("priorities")
    @classmethod
    def _all_priorities(cls, value: dict[Priority, PrioritySla]) -> dict[Priority, PrioritySla]:
        missing = [p.value for p in Priority if p not in value]
        if missing:
            raise ValueError(f"{', '.join(missing)} not defined; all of P1-P4 must be")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _shared(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Policy:
        """One object per distinct policy in the process: every escalation carries its policy
        snapshot, and the worker decodes one per workflow it holds (34 KiB each, the largest
        part of a held escalation) though nearly all of them are the same policy."""
        if not isinstance(data, dict):
            policy: Policy = handler(data)
            return policy
        key = json.dumps(data, sort_keys=True, default=str)
        found = _SHARED.get(key)
        if found is None:
            found = handler(data)
            if len(_SHARED) >= _SHARED_LIMIT:
                del _SHARED[next(iter(_SHARED))]  # the oldest: policies change rarely
            _SHARED[key] = found
        return found

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        problems = consistency_problems(self)
        if problems:
            raise PydanticCustomError(
                "policy_inconsistent", "{detail}", {"detail": "; ".join(problems),
                                                    "problems": problems}
            )
        return self

    def snapshot(self) -> Policy:
        """What an escalation carries in its workflow input (lifecycle.md's policy snapshot).

        Routing rules and triage keywords are applied by the API before the workflow starts and
        never read by it again, and the IDR file's mapping is read only by the export, so the
        snapshot leaves them out: a quarter of the default
        policy's bytes, in every escalation's history.
        The default route and the hot categories stay: they are small, and keep the snapshot a
        valid policy that decodes (and is shared) like any other. The intake section is the
        API's too (grouping; spikes are measured by the spike watch, which gets its rule from
        the API with each batch), so the snapshot carries its defaults.
        """
        return self.model_copy(update={
            "routing": Routing(default=self.routing.default),
            "triage": Triage(hot=self.triage.hot, fallback=self.triage.fallback),
            "idr": None,  # the IDR export reads the active policy, never an escalation's
            "intake": IntakePolicy(),
        })

    def sla(self, priority: Priority) -> PrioritySla:
        return self.priorities[priority]

    def team(self, name: str) -> Team | None:
        return self.teams.get(name)

    def is_sensitive(self, category: Category, tags: Sequence[str] = ()) -> bool:
        marked = {t.casefold() for t in self.sensitive_tags}
        return category in self.sensitive_categories or any(t.casefold() in marked for t in tags)


def consistency_problems(policy: Policy) -> list[str]:
    """Problems that span sections, each as `key.path: reason`."""
    problems: list[str] = []
    defined = ", ".join(sorted(policy.teams))
    seen: dict[str, int] = {}
    rules = policy.routing.rules
    for i, rule in enumerate(rules):
        at = f"routing.rules[{i}]"
        if rule.then.team not in policy.teams:
            problems.append(
                f"{at}.then.team: team {rule.then.team!r} is not defined in [teams] ({defined})"
            )
        if rule.name == "default" or rule.name in seen:
            first = seen.get(rule.name)
            clash = "[routing.default]" if first is None else f"routing.rules[{first}]"
            problems.append(f"{at}.name: {rule.name!r} is already the name of {clash}")
        seen.setdefault(rule.name, i)
        for j, earlier in enumerate(rules[:i]):
            if earlier.when.covers(rule.when):
                what = (
                    "has no conditions (a catch-all)"
                    if earlier.when == RuleWhen()
                    else "matches everything this rule matches"
                )
                problems.append(
                    f"{at}: unreachable: rule {earlier.name!r} (routing.rules[{j}]) comes first "
                    f"and {what}"
                )
                break
    if policy.routing.default.team not in policy.teams:
        problems.append(
            f"routing.default.team: team {policy.routing.default.team!r} is not defined "
            f"in [teams] ({defined})"
        )
    targets = {k: t.problem_records for k, t in policy.teams.items() if t.problem_records}
    hosts = parse_rules(policy.notifications.allowed_hosts,
                        block_private=policy.notifications.block_private_addresses)
    problems.extend(systems_problems(policy.related_systems, targets, hosts))
    problems.extend(library_problems(policy.saved_replies))
    return problems


def complaint_problems(policy: Policy) -> list[str]:
    """What a policy file with complaint kinds must also hold. Checked when a file is read, not
    when a snapshot is decoded: escalations opened under an older policy must still decode."""
    templates = {name: getattr(policy.templates, name) for name in COMPLAINT_TEMPLATE_NEEDS}
    return complaints_problems(policy.complaints, kinds=set(policy.complaint_kinds),
                               templates=templates, idr=policy.idr)


def parse_policy(text: str, *, source: str = "policy") -> Policy:
    """Parse and validate TOML text; PolicyError names the key path and the reason."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = f"not valid TOML: {exc}"
        raise PolicyError(f"{source}: {problem}", problems=[problem]) from exc
    return validate_policy(raw, source=source)


def validate_policy(raw: Mapping[str, Any], *, source: str = "policy") -> Policy:
    """Validate an already-parsed policy document (a TOML or JSON object)."""
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        problems = [p for err in exc.errors() for p in _describe(err)]
        raise PolicyError(f"{source}: " + "; ".join(problems), problems=problems) from exc
    problems = complaint_problems(policy)
    if problems:
        raise PolicyError(f"{source}: " + "; ".join(problems), problems=problems)
    return policy


def _describe(err: ErrorDetails) -> list[str]:
    if err["type"] == "policy_inconsistent":
        return list(err.get("ctx", {})["problems"])
    path = _path(err["loc"])
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    elif err["type"] == "missing":
        message = "required key is missing"
    elif err["type"] in ("enum", "literal_error"):
        message = f"{message}, got {err['input']!r}"
    elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):  # e.g. a system's `kind`
        ctx = err.get("ctx", {})
        key = str(ctx.get("discriminator", "")).strip("'")
        path = f"{path}.{key}" if path else key
        message = (f"must be one of {ctx['expected_tags']}, got {ctx['tag']!r}"
                   if "tag" in ctx else "required key is missing")
    return [f"{path}: {message}" if path else message]


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            out += " (the key)"
        elif part.startswith(("function-", "lax-", "json-")):
            continue  # pydantic's internal validator steps, not keys of the file
        else:
            out += f".{part}" if out else part
    return out

