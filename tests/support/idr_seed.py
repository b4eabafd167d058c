"""Complaints as the store holds them (views with a complaint record), for IDR export tests:
60 in the 2026H2 period of every shape the file must carry, and a few it must leave out."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.complaint_record import (
    ClosedUnder,
    Complainant,
    ComplaintRecord,
    DelayNoticeSent,
    FiveDayRule,
    IdrResponseSent,
)
from domain.enums import Status
from domain.inputs import Contact
from tests.support.complaints import SYDNEY
from tests.unit.store.factories import make_view

H2_START = datetime(2026, 7, 1, tzinfo=SYDNEY)
H2_END = datetime(2027, 1, 1, tzinfo=SYDNEY)
SHAPES = ("open", "closed_early", "closed_with_response", "delay_notice", "multi_product")


def complaint_record(reference: str, received: datetime, shape: str, **changes: Any
                     ) -> ComplaintRecord:
    record = ComplaintRecord(
        reference=reference, received_at=received,
        complainant=Complainant(name="Jo Citizen", type="individual", postcode="2000",
                                contact=Contact(channel="email", address="jo@example.com")),
        products=["credit_card"], issues=["fees_charges"], received_via="email",
        brand="Firm brand")
    match shape:
        case "closed_early":
            record = record.model_copy(update={
                "closed_at": received + timedelta(days=2), "five_day_rule": FiveDayRule.APPLIED,
                "closed_under": ClosedUnder.FIVE_DAY_RULE,
                "outcome": "resolved_in_favour_of_complainant"})
        case "closed_with_response" | "delay_notice":
            response = received + timedelta(days=35 if shape == "delay_notice" else 20)
            notices = [DelayNoticeSent(at=received + timedelta(days=28), by="sam",
                                       reasons="waiting for the insurer")
                       ] if shape == "delay_notice" else []
            record = record.model_copy(update={
                "delay_notices": notices, "closed_at": response,
                "closed_under": ClosedUnder.IDR_RESPONSE, "outcome": "resolved_partially",
                "compensation": Decimal("120.50"),
                "idr_response": IdrResponseSent(at=response, by="alice",
                                                outcome="resolved_partially", reasons="r")})
        case "multi_product":
            record = record.model_copy(update={
                "products": ["credit_card", "transaction_account"],
                "issues": ["fees_charges", "service_quality"], "representative": "AR 123456"})
    return record.model_copy(update=changes)


def complaint_view(number: int, received: datetime, shape: str, **changes: Any) -> Any:
    record = complaint_record(f"CMP-{number:04d}", received, shape, **changes)
    status = Status.CLOSED if record.closed_at is not None else Status.OPEN
    return make_view(f"esc-c{number:04d}", created_at=received, complaint_kind="standard",
                     complaint=record, status=status, closed_at=record.closed_at)


def period_views() -> list[Any]:
    """57 received in 2026H2 and 3 open since 2026H1 (60 rows), and 3 that are no row of it."""
    inside = [complaint_view(n, H2_START + timedelta(days=3 * n, hours=5), SHAPES[n % 5])
              for n in range(57)]
    carried = [complaint_view(100 + n, H2_START - timedelta(days=10 + n), "open")
               for n in range(3)]
    outside = [
        complaint_view(200, H2_START - timedelta(days=40), "closed_with_response"),  # closed
        complaint_view(201, H2_END + timedelta(hours=1), "open"),  # next period
        complaint_view(202, H2_START + timedelta(days=5), "open").model_copy(
            update={"status": Status.CANCELLED}),
    ]
    return [*inside, *carried, *outside]
