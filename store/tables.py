"""SQLModel tables: the projection the activities write and the API reads.

The workflow is the source of truth for an open escalation; these rows are its projection.
`EscalationRow.view_json` holds the whole EscalationView; the other columns exist to filter,
sort and report in SQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_json
from sqlalchemy import Column, DateTime, Dialect, Index, Text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from domain.clocks import next_due
from domain.models import EscalationView, RcaTask, TimelineEntry


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out.

    SQLite keeps no offset and hands back naive values; storing everything in UTC also keeps
    its text timestamps in chronological order, which keyset pagination relies on.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 (SQLAlchemy's signature)
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: the store keeps instants")
        return value.astimezone(UTC)

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 (SQLAlchemy's signature)
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Field() is typed Any on purpose (it stands in for the attribute's value).
def _ts(index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), index=index, nullable=nullable))


def _required_ts() -> Any:
    return Field(sa_column=Column(UtcDateTime(), nullable=False))


class EscalationRow(SQLModel, table=True):
    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_created_id", "created_at", "id"),
        Index("ix_escalations_status_stage", "status", "stage"),
        Index("ix_escalations_customer_created", "customer_id", "created_at"),
        # The console's board: open escalations by their next deadline (store/board.py).
        Index("ix_escalations_status_next_due", "status", "next_due", "id"),
    )

    id: str = Field(primary_key=True, max_length=64)
    version: int
    title: str = Field(max_length=200)
    category: str = Field(max_length=40)
    status: str = Field(max_length=20)
    stage: str = Field(max_length=20)
    priority: str = Field(max_length=4, index=True)
    tier: int
    level: str = Field(max_length=20)
    team: str = Field(max_length=60, index=True)
    owner: str | None = Field(default=None, max_length=120)
    customer_id: str | None = Field(default=None, max_length=120)
    temperature: str = Field(max_length=8)
    breached: bool = Field(default=False, index=True)
    sla_notice: str = Field(max_length=10)
    sla_acknowledge: str = Field(max_length=10)
    sla_resolve: str = Field(max_length=10)
    created_at: datetime = _required_ts()
    updated_at: datetime = _required_ts()
    notice_due: datetime | None = _ts()
    notice_sent_at: datetime | None = _ts()
    acknowledge_due: datetime | None = _ts()
    acknowledged_at: datetime | None = _ts()
    resolve_due: datetime | None = _ts()
    resolution_declared_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts()
    closed_at: datetime | None = _ts()
    # The earliest deadline someone still has to meet (domain/clocks.py); NULL when none is.
    next_due: datetime | None = _ts()
    # The complaint record (RG 271): what the IDR export selects a period by (0003_complaints).
    complaint_reference: str | None = Field(default=None, max_length=60)
    complaint_received_at: datetime | None = _ts(index=True)
    complaint_closed_at: datetime | None = _ts()
    # The SLA clocks' pause (issue 22, 0005_pausing): the list filter `paused`, and the seconds
    # of ended pauses that reports take out of time-to-resolve.
    paused: bool = Field(default=False, index=True)
    paused_total: int = Field(default=0)
    paused_before_acknowledgement: int = Field(default=0)
    paused_before_resolution: int = Field(default=0)
    # SHA-256 of the creating request: tells a retried Idempotency-Key from a reused one after
    # the workflow is gone from Temporal.
    request_hash: str | None = Field(default=None, max_length=64)
    view_json: str = Field(sa_column=Column(Text, nullable=False))

    @classmethod
    def from_view(cls, view: EscalationView) -> EscalationRow:
        return cls(**cls.values_from_view(view))

    @staticmethod
    def values_from_view(view: EscalationView) -> dict[str, Any]:
        """Every column's value, for the store's Core statements: building a row instance
        only to read its columns back costs more than the INSERT itself."""
        return {
            "id": view.id,
            "version": view.version,
            "title": view.title,
            "category": view.category.value,
            "status": view.status.value,
            "stage": view.stage.value,
            "priority": view.priority.value,
            "tier": view.tier,
            "level": view.level.value,
            "team": view.team,
            "owner": view.owner,
            "customer_id": view.customer.id if view.customer else None,
            "temperature": view.temperature.value,
            "breached": view.sla.any_breached(),
            "sla_notice": view.sla.notice.value,
            "sla_acknowledge": view.sla.acknowledge.value,
            "sla_resolve": view.sla.resolve.value,
            "created_at": view.created_at,
            "updated_at": view.updated_at,
            "notice_due": view.deadlines.notice_due,
            "notice_sent_at": view.notice_sent_at,
            "acknowledge_due": view.deadlines.acknowledge_due,
            "acknowledged_at": view.acknowledged_at,
            "resolve_due": view.deadlines.resolve_due,
            "resolution_declared_at": view.resolution_declared_at,
            "resolved_at": view.resolved_at,
            "closed_at": view.closed_at or view.cancelled_at,
            "next_due": next_due(view),
            "complaint_reference": view.complaint.reference if view.complaint else None,
            "complaint_received_at": view.complaint.received_at if view.complaint else None,
            "complaint_closed_at": view.complaint.closed_at if view.complaint else None,
            "paused": view.paused,
            "paused_total": view.paused_total,
            "paused_before_acknowledgement": view.paused_before_acknowledgement,
            "paused_before_resolution": view.paused_before_resolution,
            "request_hash": None,  # not part of the view: the store sets or keeps it
            "view_json": view.model_dump_json(),
        }

    def to_view(self) -> EscalationView:
        return EscalationView.model_validate_json(self.view_json)


class TimelineRow(SQLModel, table=True):
    """Unique on (escalation_id, seq): a retried activity can never write an entry twice."""

    __tablename__ = "timeline_entries"

    escalation_id: str = Field(primary_key=True, max_length=64)
    seq: int = Field(primary_key=True)
    at: datetime = _required_ts()
    type: str = Field(max_length=40)
    actor: str = Field(max_length=120)
    stage: str = Field(max_length=20)
    details_json: str = Field(sa_column=Column(Text, nullable=False))

    @classmethod
    def from_entry(cls, escalation_id: str, entry: TimelineEntry) -> TimelineRow:
        return cls(**cls.values_from_entry(escalation_id, entry))

    @staticmethod
    def values_from_entry(escalation_id: str, entry: TimelineEntry) -> dict[str, Any]:
        return {
            "escalation_id": escalation_id,
            "seq": entry.seq,
            "at": entry.at,
            "type": entry.type.value,
            "actor": entry.actor,
            "stage": entry.stage.value,
            "details_json": to_json(entry.details).decode(),
        }

    def to_entry(self) -> TimelineEntry:
        details: dict[str, Any] = json.loads(self.details_json)
        return TimelineEntry.model_validate(
            {
                "seq": self.seq,
                "at": self.at,
                "type": self.type,
                "actor": self.actor,
                "stage": self.stage,
                "details": details,
            }
        )


class RcaTaskRow(SQLModel, table=True):
    """An RCA task with enough of its escalation to list an inbox without reading the views."""

    __tablename__ = "rca_tasks"

    id: str = Field(primary_key=True, max_length=100)
    escalation_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=20)
    assignee: str = Field(max_length=120, index=True)
    status: str = Field(max_length=20, index=True)
    due_at: datetime = _required_ts()
    created_at: datetime = _required_ts()
    submitted_at: datetime | None = _ts()
    escalation_title: str = Field(max_length=200)
    escalation_priority: str = Field(max_length=4)
    customer_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    @classmethod
    def from_task(cls, view: EscalationView, task: RcaTask) -> RcaTaskRow:
        return cls(**cls.values_from_task(view, task))

    @staticmethod
    def values_from_task(view: EscalationView, task: RcaTask) -> dict[str, Any]:
        return {
            "id": task.id,
            "escalation_id": view.id,
            "kind": task.kind.value,
            "assignee": task.assignee,
            "status": task.status.value,
            "due_at": task.due_at,
            "created_at": task.created_at,
            "submitted_at": task.submitted_at,
            "escalation_title": view.title,
            "escalation_priority": view.priority.value,
            "customer_json": view.customer.model_dump_json() if view.customer else None,
        }


class DeliveryRow(SQLModel, table=True):
    """One outbound notification to one recipient; `delivered` is final (never sent again)."""

    __tablename__ = "deliveries"

    notification_id: str = Field(primary_key=True, max_length=200)
    escalation_id: str = Field(max_length=64, index=True)
    event: str = Field(max_length=40)
    channel: str = Field(max_length=20)
    recipient_name: str = Field(max_length=120)
    status: str = Field(max_length=20)  # pending | delivered | failed
    attempts: int = 0
    status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    first_attempt_at: datetime | None = _ts()
    last_attempt_at: datetime | None = _ts()
    delivered_at: datetime | None = _ts()
    failed_at: datetime | None = _ts()


class ClosedRecordRow(SQLModel, table=True):
    """Related incidents/records closed when an escalation enters the close stage."""

    __tablename__ = "closed_records"

    escalation_id: str = Field(primary_key=True, max_length=64)
    record: str = Field(primary_key=True, max_length=120)
    closed_at: datetime = _required_ts()


class PresenceRow(SQLModel, table=True):
    """Who has an escalation's console page open, and what they are doing: one row per person
    and escalation, refreshed while the page is open. In the store, not in a process, so every
    API process behind a proxy sees everyone; rows older than the presence window mean nothing.
    """

    __tablename__ = "console_presence"
    __table_args__ = (Index("ix_console_presence_escalation_seen", "escalation_id", "seen_at"),)

    escalation_id: str = Field(primary_key=True, max_length=64)
    person: str = Field(primary_key=True, max_length=120)
    activity: str = Field(max_length=60)  # "viewing", or the action whose form is being written
    seen_at: datetime = _required_ts()


class PostRow(SQLModel, table=True):
    """A social post intake took in, keyed by its source id (channel, post_id).

    `outcome` is decided when the post is stored; `settled_at` is set once it is carried out
    (the escalation opened or grown). A post stored but not settled was interrupted: a retry
    of its batch finishes it instead of calling it a duplicate.
    """

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_author", "channel", "author_handle", "posted_at"),
        Index("ix_posts_escalation", "escalation_id", "posted_at"),
        Index("ix_posts_category_time", "category", "temperature", "posted_at"),
    )

    channel: str = Field(primary_key=True, max_length=20)
    post_id: str = Field(primary_key=True, max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    author_handle: str = Field(max_length=200)
    author_json: str = Field(sa_column=Column(Text, nullable=False))
    customer_id: str | None = Field(default=None, max_length=120, index=True)
    customer_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    thread_id: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2_000)
    posted_at: datetime = _required_ts()
    # The hour the post was made in: the listening report groups by it the same way on
    # SQLite and PostgreSQL.
    posted_hour: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    received_at: datetime = _required_ts()
    category: str = Field(max_length=40)
    temperature: str = Field(max_length=8)
    priority: str = Field(max_length=4)
    team: str = Field(max_length=60)
    urgent: bool  # triage said escalate (hot, or P1/P2)
    outcome: str = Field(max_length=20)
    escalation_id: str | None = Field(default=None, max_length=64)
    founder: bool = False  # the post opened its escalation
    keys_json: str = Field(sa_column=Column(Text, nullable=False))
    services_json: str = Field(sa_column=Column(Text, nullable=False))
    settled_at: datetime | None = _ts()


class IntakeKeyRow(SQLModel, table=True):
    """A group key an escalation's posts carried (`domain.intake.keys`) and when it last did:
    how a later post finds the open escalation about the same matter."""

    __tablename__ = "intake_keys"
    __table_args__ = (Index("ix_intake_keys_key", "key", "last_at"),)

    escalation_id: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=300)
    category: str = Field(max_length=40)
    team: str = Field(max_length=60)
    last_at: datetime = _required_ts()


class IntakeSpikeRow(SQLModel, table=True):
    """A spike escalation of the spike watch, with the count it last reported."""

    __tablename__ = "intake_spikes"

    escalation_id: str = Field(primary_key=True, max_length=64)
    category: str = Field(max_length=40, index=True)
    opened_at: datetime = _required_ts()
    last_count: int
    last_at: datetime = _required_ts()
    samples_json: str = Field(sa_column=Column(Text, nullable=False))
