"""The policy's host rules applied to addresses in requests, before anything is started.

Delivery checks again with resolved addresses (domain.hosts); this early check turns an address
the policy would refuse into a 422 that names the field, instead of a failed notification later.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from domain.enums import ContactChannel
from domain.errors import FieldProblem, InvalidInput
from domain.hosts import HostRules, refusal
from domain.models import (
    AddDetailsInput,
    AffectedCustomer,
    CreateEscalationInput,
    Recipient,
    TaskForceInput,
)
from domain.sealed import SEALED_MARK, is_sealed


def _refusal(rules: HostRules, channel: ContactChannel, address: str) -> str | None:
    if channel is ContactChannel.EMAIL:
        return None  # mail goes to the configured SMTP server, not to the address's host
    if is_sealed(address):
        return f"the fragment '#{SEALED_MARK}' is reserved for addresses the service seals"
    return refusal(urlsplit(address).hostname or "", rules)


def _recipients(field: str, recipients: list[Recipient], rules: HostRules) -> list[FieldProblem]:
    return [
        FieldProblem(field=f"{field}[{i}].address", message=why)
        for i, r in enumerate(recipients)
        if (why := _refusal(rules, r.channel, r.address)) is not None
    ]


def _customers(customers: list[AffectedCustomer], rules: HostRules) -> list[FieldProblem]:
    return [
        FieldProblem(field=f"affected_customers[{i}].contact.address", message=why)
        for i, c in enumerate(customers)
        if c.contact is not None
        and (why := _refusal(rules, c.contact.channel, c.contact.address)) is not None
    ]


def check_addresses(
    body: CreateEscalationInput | AddDetailsInput | TaskForceInput, rules: HostRules
) -> None:
    """Refuse (InvalidInput) every address the policy's notification rules refuse, or a client
    sent already sealed, each by its field."""
    if isinstance(body, TaskForceInput):
        errors = _recipients("members", body.members, rules)
    else:
        errors = _recipients("stakeholders", body.stakeholders, rules)
        errors += _customers(body.affected_customers, rules)
    if isinstance(body, CreateEscalationInput) and body.complaint is not None:
        contact = body.complaint.complainant.contact
        why = _refusal(rules, contact.channel, contact.address)
        if why is not None:
            errors.append(FieldProblem(field="complaint.complainant.contact.address",
                                       message=why))
    if errors:
        raise InvalidInput("An address is not allowed by the notification policy.",
                           problems=errors)
