"""What answers must not show: customers' contact addresses to viewers (api.md, roles), and
to nobody the credentials some webhook URLs carry (query values, user info)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from domain.complaint_record import ComplaintRecord
from domain.enums import Role
from domain.models import AffectedCustomer, EscalationView, Recipient
from domain.sealed import is_sealed
from store.schemas import DeliveryItem

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


def redact_url(address: str) -> str:
    """`https://h.example/x?token=abc` -> `https://h.example/x?token=***`: a URL's query values
    and user info are credentials often enough that no answer repeats them."""
    parts = urlsplit(address)
    if is_sealed(address):  # already redacted; the ciphertext is of no use to a reader
        return urlunsplit(parts._replace(fragment=""))
    if not (parts.scheme and parts.hostname) or not (parts.query or parts.username):
        return address
    query = urlencode([(key, MASK) for key, _ in parse_qsl(parts.query, keep_blank_values=True)],
                      safe="*")
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _redacted(recipient: Recipient) -> Recipient:
    address = redact_url(recipient.address)
    return recipient if address == recipient.address else recipient.model_copy(
        update={"address": address})


def _redacted_customer(customer: AffectedCustomer) -> AffectedCustomer:
    if customer.contact is None:
        return customer
    address = redact_url(customer.contact.address)
    contact = customer.contact.model_copy(update={"address": address})
    return customer.model_copy(update={"contact": contact})


def _complaint(view: EscalationView, role: Role) -> ComplaintRecord | None:
    """The complainant's contact: masked for viewers, its URL credentials redacted for all."""
    record = view.complaint
    if record is None:
        return None
    contact = record.complainant.contact
    address = mask_address(contact.address) if role is Role.VIEWER else redact_url(
        contact.address)
    if address == contact.address:
        return record
    complainant = record.complainant.model_copy(
        update={"contact": contact.model_copy(update={"address": address})})
    return record.model_copy(update={"complainant": complainant})


def for_role(view: EscalationView, role: Role) -> EscalationView:
    customers = (_masked_customer if role is Role.VIEWER else _redacted_customer)
    task_force = view.task_force.model_copy(
        update={"members": [_redacted(m) for m in view.task_force.members]})
    return view.model_copy(update={
        "affected_customers": [customers(c) for c in view.affected_customers],
        "stakeholders": [_redacted(s) for s in view.stakeholders],
        "task_force": task_force,
        "complaint": _complaint(view, role),
    })


def delivery_for_role(item: DeliveryItem, role: Role) -> DeliveryItem:
    """A failed attempt's text names the receiver's host and path, which for a customer's
    webhook is their contact: viewers see that it failed, not where."""
    if role is not Role.VIEWER or item.last_error is None:
        return item
    return item.model_copy(update={"last_error": MASK})
