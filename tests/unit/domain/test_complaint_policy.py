"""The rg271 preset's complaint sections: code tables, exclusions, templates and the IDR column
mapping, each element with its source; and what a policy file with complaint kinds must hold."""

from __future__ import annotations

import copy
import tomllib
from datetime import datetime
from typing import Any

import pytest

from config.policy_files import preset_text
from domain.errors import PolicyError
from domain.idr import parse_period
from domain.policy import parse_policy, validate_policy
from tests.support.complaints import SYDNEY

RAW: dict[str, Any] = tomllib.loads(preset_text("rg271"))
RG271 = parse_policy(preset_text("rg271"))
# The element topics the public sources name (shared/reference/asic-idr.md, section 2).
PUBLIC_ELEMENTS = [
    "complaint_unique_identifier", "brand", "complainant_type", "complainant_gender",
    "complainant_age", "complainant_postcode", "complaint_status", "method_received",
    "date_received", "date_closed", "days_to_resolve", "about_representative",
    "representative_name", "product_or_service", "complaint_issue", "complaint_outcome",
    "monetary_remedy",
]


def test_the_mapping_ships_every_public_element_in_the_summaries_order() -> None:
    assert RG271.idr is not None
    assert [c.name for c in RG271.idr.columns] == PUBLIC_ELEMENTS


def test_every_element_says_what_it_rests_on_and_none_claims_the_handbook() -> None:
    assert RG271.idr is not None
    for column in RG271.idr.columns:
        assert column.basis.strip()
        assert column.confirmed is False  # the handbook was not read: all unconfirmed
    assert all(not table.confirmed for table in RG271.complaints.code_tables.values())


def test_conditional_elements_name_their_condition() -> None:
    assert RG271.idr is not None
    conditional = {c.name: c.when for c in RG271.idr.columns if c.requirement == "conditional"}
    assert set(conditional) == {"date_closed", "representative_name", "complaint_outcome"}
    assert all(when is not None for when in conditional.values())


def _broken(path: str, value: Any) -> list[str]:
    raw = copy.deepcopy(RAW)
    node = raw
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    with pytest.raises(PolicyError) as refused:
        validate_policy(raw)
    return refused.value.problems


@pytest.mark.parametrize(("path", "value", "problem"), [
    ("templates.delay_notice", "Sorry, {title} is late.",
     "templates.delay_notice: must contain {reasons} (RG 271)"),
    ("templates.idr_response", "{outcome}: {reasons}",
     "templates.idr_response: must contain {afca} (RG 271)"),
    ("complaints.written_response_required.kinds", ["hardshipp"],
     "complaints.written_response_required.kinds[0]: no complaint kind 'hardshipp'"),
    ("complaints.written_response_required.issues", ["claims"],
     "complaints.written_response_required.issues[0]: 'claims' is not in "
     "complaints.code_tables.issue"),
    ("complaints.early_resolution_outcome", "happy",
     "complaints.early_resolution_outcome: 'happy' is not in complaints.code_tables.outcome"),
])
def test_a_complaint_policy_that_does_not_hold_is_refused_by_key(
    path: str, value: Any, problem: str
) -> None:
    assert problem in _broken(path, value)


def test_a_column_naming_a_missing_code_table_is_refused() -> None:
    raw = copy.deepcopy(RAW)
    raw["idr"]["columns"][2]["code_table"] = "complainant_kind"
    with pytest.raises(PolicyError) as refused:
        validate_policy(raw)
    assert "idr.columns[2].code_table: no complaints.code_tables.complainant_kind" in (
        refused.value.problems)


def test_complaint_kinds_need_the_code_tables() -> None:
    raw = copy.deepcopy(RAW)
    del raw["complaints"]["code_tables"]["product"]
    del raw["idr"]
    with pytest.raises(PolicyError) as refused:
        validate_policy(raw)
    assert any(p.startswith("complaints.code_tables.product: required")
               for p in refused.value.problems)


def test_a_conditional_column_without_its_condition_is_refused() -> None:
    raw = copy.deepcopy(RAW)
    del raw["idr"]["columns"][9]["when"]
    with pytest.raises(PolicyError, match="a conditional element has a `when`"):
        validate_policy(raw)


@pytest.mark.parametrize(("text", "starts", "ends"), [
    ("2026H2", datetime(2026, 7, 1, tzinfo=SYDNEY), datetime(2027, 1, 1, tzinfo=SYDNEY)),
    ("2027h1", datetime(2027, 1, 1, tzinfo=SYDNEY), datetime(2027, 7, 1, tzinfo=SYDNEY)),
])
def test_a_period_is_a_half_year_in_local_time(text: str, starts: datetime, ends: datetime
                                               ) -> None:
    period = parse_period(text, SYDNEY)
    assert (period.starts, period.ends) == (starts, ends)


@pytest.mark.parametrize("text", ["2026", "2026H3", "H2 2026", "2026Q1"])
def test_anything_else_is_not_a_period(text: str) -> None:
    with pytest.raises(ValueError, match="YYYYH1 or YYYYH2"):
        parse_period(text, SYDNEY)
