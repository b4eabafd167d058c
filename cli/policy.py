"""`escalations policy check FILE`: the start-up validation alone, with a summary of the policy."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.related_systems import related_systems_table
from config.policy_files import load_policy
from domain.enums import Level
from domain.errors import PolicyError
from domain.models import Recipient
from domain.policy import Policy, RuleWhen, iso_duration

policy_app = typer.Typer(no_args_is_help=True)


@policy_app.callback()
def policy_group() -> None:
    """Check policy files."""
    # A callback keeps `check` a subcommand even while it is the only one.


@policy_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="The policy TOML file to check.")],
) -> None:
    """Validate FILE as the API and the worker do at start; print its teams, rules and SLAs."""
    errors = Console(stderr=True, highlight=False)
    if not file.exists():
        errors.print(f"[red]error:[/] {escape(str(file))}: no such file")
        raise typer.Exit(1)
    if not file.is_file():
        errors.print(f"[red]error:[/] {escape(str(file))}: not a file")
        raise typer.Exit(1)
    try:
        policy = load_policy(file)
    except PolicyError as exc:
        errors.print(f"[red]error:[/] {escape(str(file))} is not a valid policy:")
        for problem in exc.problems:
            errors.print(f"  - {problem}", markup=False)
        raise typer.Exit(1) from exc
    out = Console(highlight=False)
    for table in (_teams(policy), _rules(policy), _slas(policy)):
        out.print(table)
    if policy.complaint_kinds:
        out.print(_complaint_kinds(policy))
    if policy.related_systems:
        out.print(related_systems_table(policy, os.environ))
    if policy.idr is not None:
        confirmed = sum(c.confirmed for c in policy.idr.columns)
        out.print(f"IDR file: {len(policy.idr.columns)} columns, {confirmed} confirmed against "
                  f"{escape(policy.idr.handbook)}")
    out.print(_intake(policy))
    if policy.saved_replies:
        names = ", ".join(r.name for r in policy.saved_replies)
        out.print(f"Saved replies: {len(policy.saved_replies)} ({escape(names)})")
    out.print(f"[green]{escape(str(file))}: valid policy[/]")


def _row(table: Table, *cells: str) -> None:
    # Cells hold policy text such as "[routing.default]": print it, never read it as markup.
    table.add_row(*(escape(cell) for cell in cells))


def _who(people: list[Recipient] | Recipient | None) -> str:
    if people is None:
        return "-"
    listed = people if isinstance(people, list) else [people]
    return ", ".join(f"{p.name} ({p.channel.value})" for p in listed) or "-"


def _teams(policy: Policy) -> Table:
    table = Table(title="Teams")
    for column in ("key", "name", "problem coordinator", "engagement lead", *Level):
        table.add_column(str(column))
    for key, team in policy.teams.items():
        _row(table,
            key, team.name, _who(team.problem_coordinator), _who(team.engagement_lead),
            *(_who(team.contacts.at(level)) for level in Level),
        )
    return table


def _when(when: RuleWhen) -> str:
    tests = [
        f"{name} = {_value(value)}"
        for name, value in when.model_dump(mode="json").items()
        if value is not None
    ]
    return "; ".join(tests) or "(always)"


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _rules(policy: Policy) -> Table:
    table = Table(title="Routing rules (first match wins)")
    for column in ("#", "rule", "when", "team", "tier", "priority"):
        table.add_column(column)
    for i, rule in enumerate(policy.routing.rules):
        then = rule.then
        _row(table, str(i), rule.name, _when(rule.when), then.team, str(then.tier),
                      then.priority.value)
    default = policy.routing.default
    _row(table, "-", "default", "(no rule matched)", default.team, str(default.tier),
                  default.priority.value)
    return table


def _slas(policy: Policy) -> Table:
    table = Table(title=f"SLA per priority (notice within {iso_duration(policy.notice.within)})")
    for column in ("priority", "acknowledge", "update every", "engage more", "resolve",
                   "verify", "confirm", "warn at", "RCA", "internal RCA", "customer RCA", "clock"):
        table.add_column(column)
    for priority, sla in sorted(policy.priorities.items()):
        _row(table,
            priority.value, iso_duration(sla.acknowledge_within), iso_duration(sla.update_every),
            iso_duration(sla.engage_more_after), iso_duration(sla.resolve_within),
            iso_duration(sla.verify_within), iso_duration(sla.confirm_within),
            f"{sla.warn_at:g}", "yes" if sla.rca_required else "no",
            _maybe(sla.internal_rca_within), _maybe(sla.customer_rca_within),
            _clock(policy, sla.clock),
        )
    return table


def _complaint_kinds(policy: Policy) -> Table:
    table = Table(title="Complaint kinds")
    for column in ("kind", "acknowledge", "final response", "delay notice before", "clock"):
        table.add_column(column)
    for name, kind in policy.complaint_kinds.items():
        _row(table, name, _maybe(kind.acknowledge_within), _maybe(kind.final_response_within),
                      _maybe(kind.delay_notice_before), _clock(policy, kind.clock))
    return table


def _intake(policy: Policy) -> Table:
    intake, spike = policy.intake, policy.intake.spike
    table = Table(title="Social intake")
    table.add_column("setting")
    table.add_column("value")
    _row(table, "group within", iso_duration(intake.group_within))
    _row(table, "match on", ", ".join(kind.value for kind in intake.match))
    _row(table, "services", ", ".join(intake.services) or "-")
    _row(table, "spike", (f"{spike.at_least} hot posts in {iso_duration(spike.window)} and "
                          f"{spike.times_baseline:g}x the average over "
                          f"{iso_duration(spike.baseline)}") if spike.enabled else "off")
    return table


def _maybe(duration: timedelta | None) -> str:
    return "-" if duration is None else iso_duration(duration)


def _clock(policy: Policy, clock: str) -> str:
    if clock != "business":
        return clock
    cal = policy.calendar
    return f"business ({cal.timezone}, {cal.hours}, {'/'.join(cal.workdays)})"
