"""Opaque keyset cursors for newest-first lists: the (created_at, id) of the last item shown."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

MAX_CURSOR_LENGTH = 400


class InvalidCursor(ValueError):
    """The cursor was not made by `encode_cursor` (the API answers 422)."""


def encode_cursor(created_at: datetime, escalation_id: str) -> str:
    raw = f"{created_at.astimezone(UTC).isoformat()}|{escalation_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("cursor is empty or too long")
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        stamp, separator, escalation_id = raw.decode().partition("|")
        created_at = datetime.fromisoformat(stamp)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor("cursor is not one this service issued") from exc
    # "\x00": PostgreSQL cannot even compare a text holding it (an error, not "no match").
    if not separator or not escalation_id or "\x00" in escalation_id or created_at.tzinfo is None:
        raise InvalidCursor("cursor is not one this service issued")
    return created_at.astimezone(UTC), escalation_id
