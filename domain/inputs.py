"""The base of every request model: unknown fields refused, no NUL anywhere, contacts checked.

Kept apart from domain.models so that the models an escalation carries (domain.complaint_record)
can build on them without importing the escalation's own models.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.enums import ContactChannel
from domain.sealed import PLAIN_ADDRESS_MAX, SEALED_ADDRESS_MAX, is_sealed

_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")

NO_NUL = r"^[^\x00]*$"  # the same rule for query parameters (a pattern the OpenAPI shows)


def _contains_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(_contains_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    return False  # nested inputs checked themselves


class Strict(BaseModel):
    """Inputs refuse unknown fields (422), so a typo never silently drops data."""

    model_config = ConfigDict(extra="forbid", frozen=False)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text and jsonb cannot hold U+0000: one let in here would fail the
        # escalation's store write on every retry, for ever. Refused here, it is a 422.
        if _contains_nul(value):
            raise ValueError("must not contain the NUL character (U+0000)")
        return value


def check_address(channel: ContactChannel, address: str) -> str:
    """Syntax only; the policy's host rules are checked at the API and again at delivery."""
    # The field admits a sealed address's length (domain/sealed.py); a plain one is held to less.
    sealed = channel is not ContactChannel.EMAIL and is_sealed(address)
    if len(address) > PLAIN_ADDRESS_MAX and not sealed:
        raise ValueError(f"an address has at most {PLAIN_ADDRESS_MAX} characters")
    if channel is ContactChannel.EMAIL:
        if not _EMAIL.match(address):
            raise ValueError(f"not an e-mail address: {address!r}")
        return address
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{channel.value} address must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise ValueError("credentials in the URL are not allowed")
    return address


class Contact(Strict):
    channel: ContactChannel
    address: Annotated[str, Field(min_length=3, max_length=SEALED_ADDRESS_MAX)]

    @model_validator(mode="after")
    def _address_fits_channel(self) -> Contact:
        check_address(self.channel, self.address)
        return self
