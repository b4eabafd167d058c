"""A complaint under RG 271: what the request gives, and the record the escalation keeps.

An escalation with a `complaint_kind` carries a `ComplaintRecord`: its reference, when it was
received (every regulatory clock counts from then, which may be before the escalation was
opened), who complained and how to reach them, the products and issues from the policy's code
tables, and what happened to it: the acknowledgement, an early resolution, delay notices, the
IDR response and its outcome. Codes are checked against the policy by `domain.complaint_codes`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from domain.enums import ContactChannel
from domain.inputs import Contact, Strict

# A code of one of the policy's code tables (complaints.code_tables); ASIC's own codes may be
# numeric or mixed case, so more than the policy's lower-case keys is allowed.
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Codes = Annotated[list[Code], Field(min_length=1, max_length=20)]
Text = Annotated[str, Field(min_length=1, max_length=200)]

# Complaint correspondence is private: it goes to an inbox or a webhook, never a team channel.
PRIVATE_CONTACT = frozenset({ContactChannel.EMAIL, ContactChannel.WEBHOOK})


class Complainant(Strict):
    """The customer, or the author of a post, who complained; `contact` is how to write back."""

    name: Text
    contact: Contact
    type: Code | None = None  # code table complainant_type (individual, small business...)
    postcode: Annotated[str, Field(pattern=r"^\d{4}$")] | None = None
    gender: Code | None = None  # code table gender
    age_band: Code | None = None  # code table age_band

    @model_validator(mode="after")
    def _private_contact(self) -> Complainant:
        if self.contact.channel not in PRIVATE_CONTACT:
            raise ValueError("a complainant is written to by email or webhook")
        return self


class ComplaintInput(Strict):
    """The `complaint` member of a create request; required with a `complaint_kind`."""

    reference: Annotated[str, Field(min_length=1, max_length=60,
                                    pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")] | None = None
    received_at: AwareDatetime | None = None  # None: when the escalation is opened
    complainant: Complainant
    products: Codes
    issues: Codes
    received_via: Code | None = None  # None: from the escalation's channel (policy)
    brand: Text | None = None  # None: the policy's complaints.brand
    representative: Text | None = None  # the authorised representative it is about, if any
    written_response_requested: bool = False


class ClosedUnder(StrEnum):
    """Which rule ended the regulatory clock (RG 271.71-.75 or the IDR response)."""

    FIVE_DAY_RULE = "five_day_rule"
    IDR_RESPONSE = "idr_response"


class FiveDayRule(StrEnum):
    """Whether the five-business-day rule could end this complaint, and why not."""

    AVAILABLE = "available"
    APPLIED = "applied"
    WINDOW_CLOSED = "window_closed"
    EXCLUDED_KIND = "excluded_kind"
    EXCLUDED_ISSUE = "excluded_issue"
    WRITTEN_RESPONSE_REQUESTED = "written_response_requested"
    NOT_IN_KIND = "not_in_kind"  # the kind sets no informal_resolution_business_days


class EarlyResolution(BaseModel):
    at: datetime
    by: str
    note: str
    satisfied: bool
    closes_clock: bool
    rule: FiveDayRule  # APPLIED, or why a written response is still required


class DelayNoticeSent(BaseModel):
    at: datetime
    by: str
    reasons: str


class IdrResponseSent(BaseModel):
    at: datetime
    by: str
    outcome: str
    reasons: str
    compensation: Decimal | None = None


class ComplaintRecord(BaseModel):
    reference: str
    received_at: datetime
    complainant: Complainant
    products: list[str]
    issues: list[str]
    received_via: str
    brand: str | None = None
    representative: str | None = None
    written_response_requested: bool = False
    five_day_rule: FiveDayRule = FiveDayRule.AVAILABLE
    acknowledged_at: datetime | None = None
    acknowledged_automatically: bool = False
    early_resolution: EarlyResolution | None = None
    delay_notices: list[DelayNoticeSent] = []
    idr_response: IdrResponseSent | None = None
    outcome: str | None = None
    compensation: Decimal | None = None
    closed_under: ClosedUnder | None = None
    closed_at: datetime | None = None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
