"""The policy's `[complaints]` section: code tables, the AFCA paragraph, the five-day exclusions.

The code tables are what complaint fields are checked against (a 422 naming the field for a code
not in its table) and what the IDR data file draws its coded elements from. Each table says
where its codes come from and whether they were confirmed against ASIC's handbook.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from domain.enums import SourceChannel
from domain.policy_base import PolicyModel

CodeKey = Annotated[
    str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]
Label = Annotated[str, Field(min_length=1, max_length=200)]
Source = Annotated[str, Field(min_length=1, max_length=1_000)]

# The tables complaint fields draw from; an IDR column may name any table the policy defines.
FIELD_TABLES = {
    "products": "product",
    "issues": "issue",
    "received_via": "channel",
    "complainant.type": "complainant_type",
    "complainant.gender": "gender",
    "complainant.age_band": "age_band",
    "outcome": "outcome",
}

DEFAULT_AFCA = (
    "If you are not satisfied with our response, you may lodge a complaint with the Australian "
    "Financial Complaints Authority (AFCA), a free and independent service: www.afca.org.au, "
    "1800 931 678 (free call), info@afca.org.au, GPO Box 3, Melbourne VIC 3001. Time limits may "
    "apply to complain to AFCA."
)


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


def complaints_problems(complaints: Complaints, *, kinds: set[str]) -> list[str]:
    """Problems across [complaints] and [complaint_kinds], each as `key.path: reason`."""
    problems: list[str] = []
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
