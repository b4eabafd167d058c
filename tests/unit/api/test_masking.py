"""Viewers never see customers' contact addresses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.http.masking import for_role, mask_address, redact_url
from domain.enums import Category, Level, Priority, Role, Stage, Status, Temperature
from domain.models import (
    AffectedCustomer,
    Contact,
    Deadlines,
    EscalationView,
    Links,
    RcaView,
    Recipient,
    Routing,
    SlaState,
)


@pytest.mark.parametrize(("address", "masked"), [
    ("ops@acme.example", "o***@acme.example"),
    ("a@b.example", "a***@b.example"),
    ("https://hooks.acme.example/T1/secret?x=1", "https://hooks.acme.example/***"),
    ("http://127.0.0.1:9999/hook", "http://127.0.0.1/***"),
    ("garbage", "***"),
])
def test_mask_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def view() -> EscalationView:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    return EscalationView(
        id="esc-01jd5k7q3mz8x4c9v2b6n0p1rt", version=1, title="t", category=Category.BILLING,
        status=Status.OPEN, stage=Stage.COMMUNICATE, temperature=Temperature.HOT,
        priority=Priority.P1, tier=2, level=Level.AGENT, team="billing",
        routing=Routing(rule="r"), deadlines=Deadlines(), sla=SlaState(),
        rca=RcaView(required=True),
        links=Links(self="/s", timeline="/t", temporal_ui="http://ui"), created_at=now,
        updated_at=now,
        affected_customers=[
            AffectedCustomer(id="cust-42",
                             contact=Contact(channel="email", address="ops@acme.example")),
            AffectedCustomer(id="cust-43"),
        ],
    )


@pytest.mark.parametrize("role", [Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD])
def test_other_roles_see_addresses(role: Role) -> None:
    assert for_role(view(), role) == view()


def test_viewer_sees_masked_addresses_and_nothing_else_changes() -> None:
    original = view()
    masked = for_role(original, Role.VIEWER)
    assert masked.affected_customers[0].contact is not None
    assert masked.affected_customers[0].contact.address == "o***@acme.example"
    assert masked.affected_customers[1] == original.affected_customers[1]
    assert masked.model_dump(exclude={"affected_customers"}) == original.model_dump(
        exclude={"affected_customers"})
    assert original.affected_customers[0].contact.address == "ops@acme.example"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("https://hooks.example/in?token=s3cret&v=2", "https://hooks.example/in?token=***&v=***"),
        ("https://bot:pw@hooks.example/in", "https://hooks.example/in"),
        ("https://hooks.example/in", "https://hooks.example/in"),
        ("http://127.0.0.1:9000/h?k=v", "http://127.0.0.1:9000/h?k=***"),
        # Sealed (domain/sealed.py): the readable part, without the ciphertext.
        ("https://hooks.example/in?token=***#sealed=v1.QUJD", "https://hooks.example/in?token=***"),
        ("https://hooks.slack.example/***#sealed=v1.QUJD", "https://hooks.slack.example/***"),
    ],
)
def test_url_credentials_are_never_shown(address: str, shown: str) -> None:
    assert redact_url(address) == shown


@pytest.mark.parametrize("role", list(Role))
def test_stakeholder_tokens_are_hidden_from_every_role(role: Role) -> None:
    secret = Recipient(name="fin", channel="webhook", address="https://h.example/x?token=s3cret")
    shown = for_role(view().model_copy(update={"stakeholders": [secret]}), role)
    assert "s3cret" not in shown.model_dump_json()


def test_viewers_never_see_the_complainants_address() -> None:
    from tests.support.idr_seed import H2_START, complaint_view

    complaint = complaint_view(1, H2_START, "open")
    shown = {role: for_role(complaint, role).complaint for role in (Role.VIEWER, Role.ENGINEER)}
    assert shown[Role.VIEWER].complainant.contact.address == "j***@example.com"  # type: ignore[union-attr]
    assert shown[Role.ENGINEER].complainant.contact.address == "jo@example.com"  # type: ignore[union-attr]
