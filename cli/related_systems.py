"""The `[[related_systems]]` part of `escalations policy check`: what each system owns, where it
is, which variables hold its credentials (names only; whether this shell sets them) and what
closing a record there does."""

from __future__ import annotations

from collections.abc import Mapping

from rich.markup import escape
from rich.table import Table

from domain.policy import Policy, iso_duration
from domain.related_systems import (
    AnySystem,
    JiraSystem,
    PagerDutySystem,
    ServiceNowSystem,
    WebhookSystem,
)


def related_systems_table(policy: Policy, environ: Mapping[str, str]) -> Table:
    table = Table(title="Related systems (first match owns a record)")
    for column in ("name", "kind", "owns", "API", "credentials", "close", "retry for",
                   "problem records of"):
        table.add_column(column)
    for system in policy.related_systems:
        owns = f"prefix {system.prefix}" if system.prefix else f"pattern {system.pattern}"
        names = [f"{n}" + ("" if environ.get(n) else " (not set here)")
                 for n in system.env_names()]
        teams = [k for k, t in policy.teams.items()
                 if t.problem_records and t.problem_records.system == system.name]
        cells = (system.name, system.kind, owns, system.base_url, ", ".join(names) or "-",
                 close_action(system), iso_duration(system.retry_for), ", ".join(teams) or "-")
        table.add_row(*(escape(cell) for cell in cells))
    return table


def close_action(system: AnySystem) -> str:
    match system:
        case PagerDutySystem(close_with="events"):
            return "Events API v2 resolve by dedup_key"
        case PagerDutySystem():
            return f"PUT /incidents/{{id}} resolved (From {system.from_email})"
        case JiraSystem():
            return f"transition {system.transition!r}"
        case ServiceNowSystem():
            return f"state {system.state}, close code {system.close_code!r}"
        case WebhookSystem():
            return "signed POST related_record.close"
