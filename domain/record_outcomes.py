"""What happened to each related record in its own system: linked at the start, closed at the
close stage (or not), and the work still to do there (restarted after continue-as-new)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class CloseOutcome(StrEnum):
    PENDING = "pending"  # the close activity is still running (or retrying)
    CLOSED = "closed"
    ALREADY_CLOSED = "already_closed"  # closed there before we asked
    KEPT = "kept"  # no [[related_systems]] owns the id: nothing to close
    FAILED = "failed"  # the system refused, or kept failing for its retry_for


class LinkOutcome(StrEnum):
    PENDING = "pending"
    LINKED = "linked"  # our comment with the console link is on the record
    FAILED = "failed"


class RecordOutcome(BaseModel):
    """A related record at the close stage, as the API and the console show it."""

    record: str
    system: str | None = None  # the [[related_systems]] name; None for `kept`
    outcome: CloseOutcome
    answer: str | None = None  # the system's answer when `failed`; what it said otherwise
    at: datetime | None = None  # when the outcome was known


class RecordLink(BaseModel):
    """The console link commented on a related record when the escalation opened."""

    record: str
    system: str
    outcome: LinkOutcome
    answer: str | None = None
    at: datetime | None = None


class RecordWorkKind(StrEnum):
    LINK = "link"
    CLOSE = "close"
    PROBLEM = "problem"


class RecordWork(BaseModel):
    """One call into a related system that the workflow has started and not yet recorded."""

    kind: RecordWorkKind
    system: str
    record: str = ""  # the related record (link, close); empty for a problem record

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.system}:{self.record}"
