"""What the store's queries take and return besides EscalationView and TimelineEntry."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain.enums import Priority, RcaKind, RcaStatus, Stage, Status
from domain.models import Customer, TimelineEntry


class EscalationFilters(BaseModel):
    """Filters of GET /v1/escalations; every one given must hold."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    stage: Stage | None = None
    priority: Priority | None = None
    tier: Annotated[int, Field(ge=1, le=3)] | None = None
    team: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    customer_id: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    breached: bool | None = None
    paused: bool | None = None  # the SLA clocks stand paused (issue 22)
    q: Annotated[str, Field(min_length=1, max_length=200)] | None = None  # title contains


class RcaTaskEscalation(BaseModel):
    id: str
    title: str
    priority: Priority
    customer: Customer | None = None


class RcaTaskItem(BaseModel):
    """One item of GET /v1/rca-tasks (api.md, "RCA tasks")."""

    id: str
    escalation_id: str
    kind: RcaKind
    assignee: str
    due_at: datetime
    status: RcaStatus
    created_at: datetime
    submitted_at: datetime | None = None
    escalation: RcaTaskEscalation


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"  # final: a receiver that answered 2xx never gets the id again
    FAILED = "failed"  # retries exhausted


class Presence(BaseModel):
    """Someone else on an escalation's console page (store/presence.py)."""

    person: str
    activity: str
    seen_at: datetime


class DeliveryState(StrEnum):
    """Where one notification to one recipient stands, as the API and the console show it."""

    PENDING = "pending"  # queued or in its first attempt
    RETRYING = "retrying"  # attempted, not delivered yet: see attempts and last_error
    DELIVERED = "delivered"
    FAILED = "failed"  # given up: retries exhausted or the target refused
    SKIPPED = "skipped"  # nobody (or not this person) could be reached: see reason


class DeliveryItem(BaseModel):
    """One recipient of one notification, or one who could not be told (`skipped`)."""

    notification_id: str | None = None  # None when skipped
    seq: int | None = None  # the timeline entry that caused it
    event: str
    recipient: str | None = None  # None: nobody at all could be reached
    channel: str | None = None
    state: DeliveryState
    attempts: int = 0
    status_code: int | None = None
    last_error: str | None = None
    reason: str | None = None  # why skipped
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    failed_at: datetime | None = None


class TimelineItem(TimelineEntry):
    """A timeline entry with the deliveries it caused (GET .../timeline)."""

    deliveries: list[DeliveryItem] = []
