"""What a channel raises; activities/notify.py turns these into Temporal failures.

Messages here end up in Temporal history and in the store, so they are built from redacted
URLs only (see redact.py).
"""

from __future__ import annotations

from datetime import timedelta


class DeliveryFailed(Exception):
    """The receiver did not accept the message; worth another attempt."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        retry_after: timedelta | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after


class TargetRefused(Exception):
    """The policy's host rules forbid this target; retrying cannot help."""


class ChannelNotConfigured(Exception):
    """The worker lacks what the channel needs (e.g. no SMTP host); retrying cannot help."""
