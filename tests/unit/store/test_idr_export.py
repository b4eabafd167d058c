"""The IDR file of a seeded 2026H2: the store's selection, the preset's mapping and its
validator together, and a broken row reported by element instead of written."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from config.policy_files import preset_text
from domain.idr import build_idr, parse_period, to_csv
from domain.policy import Policy, parse_policy
from store.engine import create_engine_for, session_factory
from store.migrate import upgrade_to_head
from store.queries import idr_complaints, upsert_escalation
from tests.support.complaints import SYDNEY
from tests.support.idr_seed import H2_START, complaint_view, period_views

RG271 = parse_policy(preset_text("rg271"))
PERIOD = parse_period("2026H2", SYDNEY)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade_to_head(url)
    engine = create_engine_for(url)
    factory = session_factory(engine)
    with factory() as s, s.begin():
        for view in period_views():
            upsert_escalation(s, view)
    yield factory
    engine.dispose()


def _file(sessions: sessionmaker[Session], policy: Policy = RG271) -> tuple[str, list[str]]:
    with sessions() as s:
        views = idr_complaints(s, starts=PERIOD.starts, ends=PERIOD.ends)
    file = build_idr(views, policy, PERIOD)
    assert not file.problems, file.problems
    return to_csv(file), [v.id for v in views]


def test_the_period_holds_its_60_complaints_and_passes_its_validator(
    sessions: sessionmaker[Session],
) -> None:
    text, ids = _file(sessions)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 60
    assert {"esc-c0100", "esc-c0101", "esc-c0102"} <= set(ids)  # open at the period's start
    assert not {"esc-c0200", "esc-c0201", "esc-c0202"} & set(ids)


def test_the_elements_are_the_mappings_in_its_order(sessions: sessionmaker[Session]) -> None:
    text, _ = _file(sessions)
    header = next(csv.reader(io.StringIO(text)))
    assert RG271.idr is not None
    assert header == [c.name for c in RG271.idr.columns]
    assert header[:3] == ["complaint_unique_identifier", "brand", "complainant_type"]


def test_each_shape_is_written_as_the_mapping_says(sessions: sessionmaker[Session]) -> None:
    text, _ = _file(sessions)
    rows = {r["complaint_unique_identifier"]: r for r in csv.DictReader(io.StringIO(text))}
    early, response, delayed, multi = rows["CMP-0001"], rows["CMP-0002"], rows["CMP-0003"], (
        rows["CMP-0004"])
    assert (early["complaint_status"], early["days_to_resolve"], early["complaint_outcome"]) == (
        "closed", "2", "resolved_in_favour_of_complainant")
    assert (response["date_closed"], response["monetary_remedy"]) == ("2026-07-27", "120.50")
    assert delayed["days_to_resolve"] == "35"
    assert multi["product_or_service"] == "credit_card;transaction_account"
    assert (multi["about_representative"], multi["representative_name"]) == ("Y", "AR 123456")
    assert rows["CMP-0000"]["date_closed"] == rows["CMP-0000"]["complaint_outcome"] == ""
    assert rows["CMP-0000"]["date_received"] == "2026-07-01"  # Sydney's date, not UTC's


def test_a_broken_row_is_reported_by_element_and_nothing_is_written(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s, s.begin():
        upsert_escalation(s, complaint_view(
            300, H2_START + timedelta(days=9), "multi_product",
            products=["credit_card", "crypto_wallet"], brand=None))
        views = idr_complaints(s, starts=PERIOD.starts, ends=PERIOD.ends)
    file = build_idr(views, RG271, PERIOD)
    assert file.rows == []
    found = {(p.reference, p.column, p.element): p.reason for p in file.problems}
    assert found == {
        ("CMP-0300", "brand", "Name of subsidiary, brand or superannuation fund that the "
         "complaint is about"): "mandatory, and empty",
        ("CMP-0300", "product_or_service", "Product or service the complaint is about"):
            "not in code table product: crypto_wallet",
    }
    row = next(p.row for p in file.problems)
    assert views[row - 1].id == "esc-c0300"
    with pytest.raises(ValueError, match="2 problems"):
        to_csv(file)


def test_a_period_without_complaints_is_nil(sessions: sessionmaker[Session]) -> None:
    period = parse_period("2025H1", SYDNEY)
    with sessions() as s:
        file = build_idr(idr_complaints(s, starts=period.starts, ends=period.ends), RG271,
                         period)
    assert file.nil
