"""The policy's complaint sections: `[complaint_kinds.NAME]` (the RG 271 clocks) and
`[complaints]` (code tables, the AFCA paragraph, the five-day exclusions).

The code tables are what complaint fields are checked against (a 422 naming the field for a code
not in its table) and what the IDR data file draws its coded elements from. Each table says
where its codes come from and whether they were confirmed against ASIC's handbook.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from domain.calendar import PositiveDuration, iso_duration
from domain.enums import SourceChannel
from domain.idr_mapping import IdrMapping, mapping_problems
from domain.policy_base import PolicyModel
from domain.templates import placeholders_in

CodeKey = Annotated[
    str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]
Label = Annotated[str, Field(min_length=1, max_length=200)]
Source = Annotated[str, Field(min_length=1, max_length=1_000)]

DEFAULT_AFCA = (
    "If you are not satisfied with our response, you may lodge a complaint with the Australian "
    "Financial Complaints Authority (AFCA), a free and independent service: www.afca.org.au, "
    "1800 931 678 (free call), info@afca.org.au, GPO Box 3, Melbourne VIC 3001. Time limits may "
    "apply to complain to AFCA."
)


# What RG 271 requires each customer-facing complaint message to carry (RG 271.53-.55 for the
# IDR response, RG 271.66 for the delay notice): checked when a policy has complaint kinds.
COMPLAINT_TEMPLATE_NEEDS = {
    "delay_notice": ("reasons", "afca"),
    "idr_response": ("outcome", "reasons", "afca"),
}


class ComplaintKind(PolicyModel):
    """Regulatory clocks that run beside the priority SLA (policy.md, "Complaint kinds")."""

    acknowledge_within: PositiveDuration | None = None
    final_response_within: PositiveDuration | None = None
    # The warning point: this long before the final-response deadline the team lead is alerted
    # when neither the response nor a delay notice has gone out. (Complaints opened before the
    # complaint record instead had a delay notice sent automatically here.)
    delay_notice_before: PositiveDuration | None = None
    clock: Literal["calendar", "business"] = "calendar"
    # The five-business-day rule (RG 271.71-.75): resolved to the complainant's satisfaction by
    # the end of this business day after receipt, a complaint needs no written response unless
    # one is asked for or complaints.written_response_required lists it. Unset: no such rule.
    informal_resolution_business_days: Annotated[int, Field(ge=1, le=30)] | None = None
    # The acknowledgement's own clock (24 hours, or one business day: PT8H of 09:00-17:00);
    # unset, the kind's clock.
    acknowledge_clock: Literal["calendar", "business"] | None = None
    # The acknowledgement goes out by itself this long before its deadline when nobody sent it.
    acknowledge_auto_before: PositiveDuration | None = None

    @field_validator("delay_notice_before")
    @classmethod
    def _before_final(cls, value: timedelta | None, info: ValidationInfo) -> timedelta | None:
        final = info.data.get("final_response_within")
        if value is None:
            return value
        if final is None:
            raise ValueError("needs final_response_within (the deadline it comes before)")
        if value >= final:
            raise ValueError(
                f"must be shorter than final_response_within ({iso_duration(final)}), "
                f"got {iso_duration(value)}"
            )
        return value


class CodeTable(PolicyModel):
    source: Source  # where the codes come from, e.g. the handbook's table and its version
    confirmed: bool = False  # checked against that source
    codes: Annotated[dict[CodeKey, Label], Field(min_length=1, max_length=2_000)]


class WrittenResponseRequired(PolicyModel):
    """Complaints the five-business-day rule cannot end (RG 271.75): a written response is due."""

    kinds: list[str] = []
    issues: list[str] = []
    basis: Source = "RG 271.75"


class Complaints(PolicyModel):
    reference_prefix: Annotated[str, Field(max_length=20, pattern=r"^[A-Za-z0-9._/-]*$")] = "CMP-"
    brand: Label | None = None  # the brand a complaint is about unless the request names one
    afca: Annotated[str, Field(min_length=1, max_length=2_000)] = DEFAULT_AFCA
    early_resolution_outcome: str | None = None  # outcome code of a five-day resolution
    written_response_required: WrittenResponseRequired = WrittenResponseRequired()
    received_via: dict[SourceChannel, str] = {}  # escalation channel -> channel code
    code_tables: dict[CodeKey, CodeTable] = {}

    def has_code(self, table: str, code: str) -> bool:
        found = self.code_tables.get(table)
        return found is not None and code in found.codes


def complaints_problems(
    complaints: Complaints, *, kinds: set[str], templates: Mapping[str, str],
    idr: IdrMapping | None,
) -> list[str]:
    """Problems across [complaints], [complaint_kinds], [templates] and [idr], each as
    `key.path: reason`."""
    problems: list[str] = []
    if idr is not None:
        problems += mapping_problems(idr, set(complaints.code_tables))
    if kinds:
        for name, needed in COMPLAINT_TEMPLATE_NEEDS.items():
            present = placeholders_in(templates[name])
            problems += [f"templates.{name}: must contain {{{p}}} (RG 271)"
                         for p in needed if p not in present]
    tables = complaints.code_tables
    if kinds:
        for table in ("product", "issue", "outcome", "channel"):
            if table not in tables:
                problems.append(f"complaints.code_tables.{table}: required with complaint kinds "
                                "(complaint fields are checked against it)")
    rule = complaints.written_response_required
    for i, kind in enumerate(rule.kinds):
        if kind not in kinds:
            problems.append(f"complaints.written_response_required.kinds[{i}]: no complaint "
                            f"kind {kind!r}")
    for i, issue in enumerate(rule.issues):
        if "issue" in tables and not complaints.has_code("issue", issue):
            problems.append(f"complaints.written_response_required.issues[{i}]: {issue!r} is "
                            "not in complaints.code_tables.issue")
    outcome = complaints.early_resolution_outcome
    if outcome is not None and "outcome" in tables and not complaints.has_code("outcome", outcome):
        problems.append(f"complaints.early_resolution_outcome: {outcome!r} is not in "
                        "complaints.code_tables.outcome")
    for channel, code in complaints.received_via.items():
        if "channel" in tables and not complaints.has_code("channel", code):
            problems.append(f"complaints.received_via.{channel.value}: {code!r} is not in "
                            "complaints.code_tables.channel")
    return problems
