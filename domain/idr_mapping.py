"""The IDR data file's columns as data (policy `[idr]`): ASIC's handbook fixes the element
names, order, formats and code tables, and it could not be read when the preset was written, so
each column says where its element comes from and whether that was confirmed. A firm completes
the mapping from the handbook without a code change.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from domain.policy_base import PolicyModel

# What a column may draw from: the complaint record and its escalation (domain.idr reads them).
IdrSource = Literal[
    "complaint.reference", "complaint.brand", "complaint.kind", "complaint.complainant.type",
    "complaint.complainant.gender", "complaint.complainant.age_band",
    "complaint.complainant.postcode", "complaint.status", "complaint.received_via",
    "complaint.received_date", "complaint.closed_date", "complaint.days_to_close",
    "complaint.representative", "complaint.about_representative", "complaint.products",
    "complaint.issues", "complaint.outcome", "complaint.compensation",
    "complaint.closed_under", "complaint.delay_notice_sent", "escalation.id",
]
Format = Literal["text", "date", "integer", "decimal", "code", "codes", "flag"]
Label = Annotated[str, Field(min_length=1, max_length=200)]


class IdrCondition(PolicyModel):
    """When a conditional element is reported: `source` holds one of `values`."""

    source: IdrSource
    values: Annotated[list[str], Field(min_length=1)]


class IdrColumn(PolicyModel):
    name: Label  # the header in the file
    element: Label  # the data element as ASIC's sources name it
    source: IdrSource
    format: Format
    requirement: Literal["mandatory", "conditional", "optional"]
    when: IdrCondition | None = None  # the condition of a conditional element
    code_table: str | None = None  # for code and codes
    translate: dict[str, str] = {}  # internal value -> value written (e.g. open -> O)
    max_length: Annotated[int, Field(ge=1, le=10_000)] | None = None
    pattern: str | None = None  # a value written must match it whole
    confirmed: bool = False  # name, format and level checked against the handbook
    basis: Annotated[str, Field(min_length=1, max_length=1_000)]  # the source it rests on

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _complete(self) -> IdrColumn:
        if (self.requirement == "conditional") != (self.when is not None):
            raise ValueError("a conditional element has a `when`, and only a conditional one")
        if (self.format in ("code", "codes")) != (self.code_table is not None):
            raise ValueError("code and codes columns name a code_table, and only they do")
        return self


class IdrMapping(PolicyModel):
    handbook: Label  # the version of ASIC's handbook the mapping follows
    date_format: Literal["YYYY-MM-DD", "DD/MM/YYYY"] = "YYYY-MM-DD"
    separator: Annotated[str, Field(min_length=1, max_length=3)] = ";"  # several codes, one cell
    columns: Annotated[list[IdrColumn], Field(min_length=1, max_length=200)]

    @field_validator("columns")
    @classmethod
    def _unique_names(cls, value: list[IdrColumn]) -> list[IdrColumn]:
        names = [c.name for c in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"column names must be unique: {', '.join(twice)}")
        return value


def mapping_problems(mapping: IdrMapping, tables: set[str]) -> list[str]:
    return [
        f"idr.columns[{i}].code_table: no complaints.code_tables.{c.code_table}"
        for i, c in enumerate(mapping.columns)
        if c.code_table is not None and c.code_table not in tables
    ]
