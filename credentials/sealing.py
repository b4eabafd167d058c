"""The cipher behind sealed addresses (domain/sealed.py), shared by the API, which seals, and the
worker's delivery, which opens.

AES-SIV is deterministic: one address under one key always seals to the same text. That matters
here: the workflow keys its per-recipient delivery queues by address, a policy snapshot must not
change when the API restarts, and a retried create must produce the same workflow input. What it
gives away is only whether two sealed addresses are equal.

The key is `ESCALATIONS_SEALING_KEY` (32 or 64 bytes, URL-safe base64); the API and every worker
must share it. `escalations up` keeps one in its data dir.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from pydantic import BaseModel

from domain.enums import ContactChannel
from domain.models import Contact, Recipient
from domain.sealed import ciphertext, has_secret, is_sealed, sealed_form

M = TypeVar("M", bound=BaseModel)
_CONTEXT = [b"escalations/recipient-address/v1"]


class SealError(Exception):
    """A sealed address that this process cannot open (no key, another key, or altered)."""


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def decode_key(text: str) -> bytes:
    """The key's bytes; ValueError naming the fault (never the key)."""
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not URL-safe base64") from None
    if len(key) not in (32, 64):
        raise ValueError(f"must decode to 32 or 64 bytes, not {len(key)}")
    return key


class AddressSealer:
    def __init__(self, key: bytes) -> None:
        self._cipher = AESSIV(key)

    def seal(self, channel: ContactChannel, address: str) -> str:
        if is_sealed(address) or not has_secret(channel, address):
            return address
        sealed = self._cipher.encrypt(address.encode("utf-8"), _CONTEXT)
        return sealed_form(channel, address, base64.urlsafe_b64encode(sealed).decode("ascii"))

    def open(self, address: str) -> str:
        if not is_sealed(address):
            return address
        try:
            sealed = base64.urlsafe_b64decode(ciphertext(address))
            return self._cipher.decrypt(sealed, _CONTEXT).decode("utf-8")
        except (binascii.Error, ValueError, InvalidTag):
            raise SealError(
                "a sealed address does not open with this worker's ESCALATIONS_SEALING_KEY "
                "(the API that sealed it used another key)") from None


def open_address(sealer: AddressSealer | None, address: str) -> str:
    if sealer is None and is_sealed(address):
        raise SealError("a sealed address needs ESCALATIONS_SEALING_KEY, which this worker lacks")
    return sealer.open(address) if sealer is not None else address


def seal_addresses(model: M, sealer: AddressSealer) -> M:
    """A copy of `model` with every Contact's and Recipient's address sealed, at any depth."""
    return _sealed(model, sealer)  # type: ignore[no-any-return]


def _sealed(value: Any, sealer: AddressSealer) -> Any:
    if isinstance(value, Contact | Recipient):
        address = sealer.seal(value.channel, value.address)
        return value if address == value.address else value.model_copy(
            update={"address": address})
    if isinstance(value, BaseModel):
        changes = {}
        for name in type(value).model_fields:
            before = getattr(value, name)
            after = _sealed(before, sealer)
            if after is not before:
                changes[name] = after
        return value.model_copy(update=changes) if changes else value
    if isinstance(value, list | tuple):
        items = [_sealed(item, sealer) for item in value]
        same = all(a is b for a, b in zip(items, value, strict=True))
        return value if same else type(value)(items)
    if isinstance(value, dict):
        entries = {key: _sealed(item, sealer) for key, item in value.items()}
        same = all(entries[key] is item for key, item in value.items())
        return value if same else entries
    return value


def ensure_key_file(path: Path) -> str:
    """The key kept in `path`, created (owner-only) on first use; ValueError if it is not one."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        try:
            decode_key(key)
        except ValueError as exc:
            raise ValueError(f"{path}: not a sealing key ({exc})") from None
        return key
    key = new_key()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key
