"""Escalation ids: `esc-` + 26 lowercase Crockford base32 characters (URL-safe).

New ids put 48 bits of milliseconds before 80 random bits, so they sort by creation time (as
text too). Ids derived from an Idempotency-Key are a hash, so every retry of one request names the
same workflow; they are not time-sortable, but nothing sorts by id alone (lists sort by
created_at, then id).
"""

from __future__ import annotations

import hashlib
import re

PREFIX = "esc-"
SUFFIX_LENGTH = 26
# Crockford's alphabet: no i, l, o, u, so ids survive being read aloud or retyped.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_ID = re.compile(rf"{PREFIX}[{_ALPHABET}]{{{SUFFIX_LENGTH}}}")
_TIME_BITS = 48
_RANDOM_BYTES = 10
# A fixed label keeps key-derived ids apart from any other sha256 the service might compute.
_KEY_LABEL = b"escalations/idempotency-key\x00"


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_escalation_id(now_ms: int, random_bytes: bytes) -> str:
    """A fresh id from the current time in milliseconds and at least 10 random bytes."""
    if not 0 <= now_ms < 1 << _TIME_BITS:
        raise ValueError("now_ms must fit in 48 bits")
    if len(random_bytes) < _RANDOM_BYTES:
        raise ValueError(f"need at least {_RANDOM_BYTES} random bytes")
    randomness = int.from_bytes(random_bytes[:_RANDOM_BYTES], "big")
    return PREFIX + _encode(now_ms, 10) + _encode(randomness, 16)


def escalation_id_for_key(key: str) -> str:
    """The id every request with this Idempotency-Key creates or finds."""
    digest = hashlib.sha256(_KEY_LABEL + key.encode("utf-8")).digest()
    # 130 bits of the digest fill the 26 characters.
    return PREFIX + _encode(int.from_bytes(digest, "big") >> (256 - 5 * SUFFIX_LENGTH),
                            SUFFIX_LENGTH)


def is_escalation_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None
