"""The systems that hold related records (policy.md, `[[related_systems]]`).

Each names which record ids it owns (a prefix or a regular expression), where its API is, the
names of the environment variables that hold its credentials (never the secrets: the worker
reads them when it calls) and what closing a record there means. Pure: no I/O, no environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from domain.calendar import PositiveDuration
from domain.hosts import HostRules, refusal

# An environment variable's name; the value is read by the worker at call time.
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]


def _system_name(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9_-]{1,60}", value):
        raise ValueError(f"{value!r}: use lower-case letters, digits, '-' and '_'")
    return value


def _api_base(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r}: must be an http(s) URL with a host")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("no credentials, query or fragment here: credentials go in *_env")
    return value.rstrip("/")


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return value


ApiBase = Annotated[str, Field(max_length=500), AfterValidator(_api_base)]


class _System(BaseModel):
    """What every kind has: a name, the ids it owns, its API and how long to keep trying."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, AfterValidator(_system_name)]
    # Exactly one: `prefix = "PD-"` owns "PD-Q1W2E3" (the system's id is what follows), or
    # `pattern = "INC\\d+"` owns ids it matches whole (its group `id`, if any, is the system's).
    prefix: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    pattern: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_pattern)
                       ] | None = None
    base_url: ApiBase
    # Temporal retries a failing call for this long (the activity's schedule-to-close), then
    # the record's outcome is `failed`; the escalation goes on either way.
    retry_for: PositiveDuration = timedelta(hours=1)
    link_at_start: bool = True  # comment the console link on the record when the escalation opens

    @model_validator(mode="after")
    def _one_matcher(self) -> _System:
        if (self.prefix is None) == (self.pattern is None):
            raise ValueError("give exactly one of `prefix` and `pattern` (the ids it owns)")
        return self

    def system_id(self, record: str) -> str | None:
        """The record's id in this system, or None when the record is not this system's."""
        if self.prefix is not None:
            rest = record[len(self.prefix):]
            return rest if record.startswith(self.prefix) and rest else None
        assert self.pattern is not None
        found = re.fullmatch(self.pattern, record)
        if found is None:
            return None
        return found.group("id") if "id" in found.re.groupindex else record

    def env_names(self) -> list[str]:
        return [v for k, v in self.model_dump().items() if k.endswith("_env") and v]


class PagerDutySystem(_System):
    """Close: REST `PUT /incidents/{id}` to `resolved` (token, `From`), or an Events API v2
    `resolve` by dedup_key (routing key). Notes need the REST token."""

    kind: Literal["pagerduty"]
    close_with: Literal["rest", "events"] = "rest"
    token_env: EnvName | None = None  # REST API key: `Authorization: Token token=…`
    from_email: Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
                          ] | None = None  # the `From` header: a PagerDuty user's e-mail
    routing_key_env: EnvName | None = None  # Events API v2 integration key
    events_url: ApiBase = "https://events.pagerduty.com"

    @model_validator(mode="after")
    def _credentials_for_the_calls(self) -> PagerDutySystem:
        rest = self.token_env is not None and self.from_email is not None
        if self.close_with == "rest" and not rest:
            raise ValueError("close_with = \"rest\" needs token_env and from_email")
        if self.close_with == "events" and self.routing_key_env is None:
            raise ValueError("close_with = \"events\" needs routing_key_env")
        if self.link_at_start and not rest:
            raise ValueError("link_at_start adds a note over REST: it needs token_env and "
                             "from_email (or set link_at_start = false)")
        return self


class JiraSystem(_System):
    """Close: the transition `transition` (a name looked up in the issue's transitions, or an
    id) via `POST /rest/api/3/issue/{key}/transitions`."""

    kind: Literal["jira"]
    token_env: EnvName  # API token (Cloud, with email_env) or personal access token
    email_env: EnvName | None = None  # with it: Basic e-mail:token; without: Bearer token
    transition: Text  # "Done", or an id such as "31"
    closed_category: Text = "done"  # the status category key that counts as closed


class ServiceNowSystem(_System):
    """Close: look the incident up by number, then `PATCH /api/now/table/incident/{sys_id}`
    with `state`, `close_code` and the close notes."""

    kind: Literal["servicenow"]
    username_env: EnvName | None = None  # Basic auth, with password_env
    password_env: EnvName | None = None
    token_env: EnvName | None = None  # an OAuth access token instead (Bearer)
    state: Text = "6"  # Resolved; the instance closes resolved incidents itself later
    close_code: Text = "Solution provided"
    closed_states: Annotated[list[Text], Field(min_length=1, max_length=20)] = ["6", "7", "8"]

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> ServiceNowSystem:
        basic = self.username_env is not None and self.password_env is not None
        if basic == (self.token_env is not None) or (
                (self.username_env is None) != (self.password_env is None)):
            raise ValueError("give username_env and password_env, or token_env (not both)")
        return self


class WebhookSystem(_System):
    """Close: a signed POST like our other webhooks; 2xx is closed, 409 already closed."""

    kind: Literal["webhook"]
    secret_env: EnvName | None = None  # default: the worker's ESCALATIONS_WEBHOOK_SECRET


RelatedSystem = Annotated[
    PagerDutySystem | JiraSystem | ServiceNowSystem | WebhookSystem,
    Field(discriminator="kind"),
]
AnySystem = PagerDutySystem | JiraSystem | ServiceNowSystem | WebhookSystem
PROBLEM_KINDS = ("jira", "servicenow")


class ProblemRecords(BaseModel):
    """A team's problem system: where an internal RCA with corrective actions opens a problem
    record (a Jira issue in `project`, or a ServiceNow `problem`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: Text  # a [[related_systems]] name of kind jira or servicenow
    project: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,30}$")] | None = None  # Jira
    issue_type: Text = "Task"  # Jira


def system_for(record: str, systems: Sequence[AnySystem]) -> tuple[AnySystem, str] | None:
    """The first system that owns `record`, with the record's id there; None: no system's."""
    for system in systems:
        found = system.system_id(record)
        if found is not None:
            return system, found
    return None


def find_system(name: str, systems: Sequence[AnySystem]) -> AnySystem | None:
    return next((s for s in systems if s.name == name), None)


def systems_problems(systems: Sequence[AnySystem], problem_records: Mapping[str, ProblemRecords],
                     rules: HostRules) -> list[str]:
    """Checks across sections, each as `key.path: reason`: names, hosts, teams' problem systems.
    `problem_records` maps a team's key to its problem system."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, system in enumerate(systems):
        at = f"related_systems[{i}]"
        if system.name in seen:
            problems.append(f"{at}.name: {system.name!r} is already the name of "
                            f"related_systems[{seen[system.name]}]")
        seen.setdefault(system.name, i)
        urls = [system.base_url]
        if isinstance(system, PagerDutySystem) and system.close_with == "events":
            urls.append(system.events_url)
        for url in urls:
            why = refusal(urlsplit(url).hostname or "", rules)
            if why is not None:
                key = "events_url" if url != system.base_url else "base_url"
                problems.append(f"{at}.{key}: {why} (notifications.allowed_hosts)")
    for team, target in problem_records.items():
        at = f"teams.{team}.problem_records"
        named = find_system(target.system, systems)
        if named is None:
            names = ", ".join(s.name for s in systems) or "none defined"
            problems.append(f"{at}.system: {target.system!r} is not a [[related_systems]] name "
                            f"({names})")
        elif named.kind not in PROBLEM_KINDS:
            problems.append(f"{at}.system: {target.system!r} is a {named.kind} system; "
                            "problem records open in jira or servicenow")
        elif named.kind == "jira" and target.project is None:
            problems.append(f"{at}.project: a jira problem system needs the project key")
    return problems
