"""Viewers see affected customers' contact addresses masked (api.md, roles), in every answer."""

from __future__ import annotations

from urllib.parse import urlsplit

from domain.enums import Role
from domain.models import AffectedCustomer, EscalationView

MASK = "***"


def mask_address(address: str) -> str:
    """`ops@acme.example` -> `o***@acme.example`; a URL keeps only its scheme and host."""
    local, at, domain = address.rpartition("@")
    if at and local and "/" not in address:
        return f"{local[0]}{MASK}@{domain}"
    parts = urlsplit(address)
    if parts.scheme and parts.hostname:
        return f"{parts.scheme}://{parts.hostname}/{MASK}"
    return MASK


def _masked_customer(customer: AffectedCustomer) -> AffectedCustomer:
    if customer.contact is None:
        return customer
    masked = mask_address(customer.contact.address)
    contact = customer.contact.model_copy(update={"address": masked})
    return customer.model_copy(update={"contact": contact})


def for_role(view: EscalationView, role: Role) -> EscalationView:
    if role is not Role.VIEWER:
        return view
    return view.model_copy(
        update={"affected_customers": [_masked_customer(c) for c in view.affected_customers]}
    )
