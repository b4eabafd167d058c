"""Complaint fields checked against the policy's code tables: every refusal names its field.

The API checks a create request with the active policy before anything starts; the workflow's
validators check an action's codes against the escalation's own snapshot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.errors import FieldProblem
from domain.models import CreateEscalationInput
from domain.policy import Policy

# A received_at this far ahead of our clock is a client clock off, not a time zone mistake.
CLOCK_SKEW = timedelta(minutes=5)
# Older than this is a data-entry error, not a complaint still inside any RG 271 timeframe.
OLDEST = timedelta(days=3 * 366)


def code_problem(policy: Policy, table: str, code: str, field: str) -> FieldProblem | None:
    tables = policy.complaints.code_tables
    if table not in tables:
        return FieldProblem(field=field, message=f"the policy has no code table {table!r}")
    if code not in tables[table].codes:
        known = ", ".join(sorted(tables[table].codes))
        return FieldProblem(field=field, message=f"{code!r} is not in the {table} code table "
                            f"({known})")
    return None


def received_via(policy: Policy, body: CreateEscalationInput) -> str | None:
    complaint = body.complaint
    if complaint is not None and complaint.received_via is not None:
        return complaint.received_via
    return policy.complaints.received_via.get(body.channel)


def complaint_problems(
    policy: Policy, body: CreateEscalationInput, *, now: datetime
) -> list[FieldProblem]:
    """Why the request's complaint cannot be recorded under `policy`; empty when it can."""
    kind, complaint = body.complaint_kind, body.complaint
    if kind is None:
        return ([FieldProblem(field="complaint", message="needs a complaint_kind")]
                if complaint is not None else [])
    if kind not in policy.complaint_kinds:
        known = ", ".join(sorted(policy.complaint_kinds)) or "none"
        return [FieldProblem(field="complaint_kind",
                             message=f"no complaint kind {kind!r} in the policy ({known})")]
    if complaint is None:
        return [FieldProblem(field="complaint", message="a complaint needs its record: "
                             "complainant (with a contact), products and issues")]
    checks = [
        *(("product", code, f"complaint.products[{i}]")
          for i, code in enumerate(complaint.products)),
        *(("issue", code, f"complaint.issues[{i}]") for i, code in enumerate(complaint.issues)),
        *((table, code, f"complaint.complainant.{name}") for table, name, code in (
            ("complainant_type", "type", complaint.complainant.type),
            ("gender", "gender", complaint.complainant.gender),
            ("age_band", "age_band", complaint.complainant.age_band),
        ) if code is not None),
    ]
    problems = [p for table, code, field in checks
                if (p := code_problem(policy, table, code, field)) is not None]
    via = received_via(policy, body)
    if via is None:
        problems.append(FieldProblem(field="complaint.received_via", message=(
            f"required: the policy maps no channel code for channel {body.channel.value!r}")))
    elif (p := code_problem(policy, "channel", via, "complaint.received_via")) is not None:
        problems.append(p)
    if complaint.received_at is not None and complaint.received_at > now + CLOCK_SKEW:
        problems.append(FieldProblem(field="complaint.received_at",
                                     message="is in the future"))
    elif complaint.received_at is not None and complaint.received_at < now - OLDEST:
        problems.append(FieldProblem(field="complaint.received_at",
                                     message="is more than three years ago"))
    if len(set(complaint.products)) != len(complaint.products):
        problems.append(FieldProblem(field="complaint.products", message="a code is repeated"))
    if len(set(complaint.issues)) != len(complaint.issues):
        problems.append(FieldProblem(field="complaint.issues", message="a code is repeated"))
    return problems
