"""SQLModel tables: the projection the activities write and the API reads.

The workflow is the source of truth for an open escalation; these rows are its projection.
`EscalationRow.view_json` holds the whole EscalationView; the other columns exist to filter,
sort and report in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel

from domain.models import EscalationView


def _ts(index: bool = False, nullable: bool = True) -> datetime | None:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), index=index,
                                                nullable=nullable))


class EscalationRow(SQLModel, table=True):
    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_created_id", "created_at", "id"),
        Index("ix_escalations_status_stage", "status", "stage"),
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
    customer_id: str | None = Field(default=None, max_length=120, index=True)
    temperature: str = Field(max_length=8)
    breached: bool = Field(default=False, index=True)
    sla_notice: str = Field(max_length=10)
    sla_acknowledge: str = Field(max_length=10)
    sla_resolve: str = Field(max_length=10)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    notice_due: datetime | None = _ts()
    notice_sent_at: datetime | None = _ts()
    acknowledge_due: datetime | None = _ts()
    acknowledged_at: datetime | None = _ts()
    resolve_due: datetime | None = _ts()
    resolution_declared_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts()
    closed_at: datetime | None = _ts()
    view_json: str = Field(sa_column=Column(Text, nullable=False))

    @classmethod
    def from_view(cls, view: EscalationView) -> EscalationRow:
        return cls(
            id=view.id,
            version=view.version,
            title=view.title,
            category=view.category.value,
            status=view.status.value,
            stage=view.stage.value,
            priority=view.priority.value,
            tier=view.tier,
            level=view.level.value,
            team=view.team,
            owner=view.owner,
            customer_id=view.customer.id if view.customer else None,
            temperature=view.temperature.value,
            breached=view.sla.any_breached(),
            sla_notice=view.sla.notice.value,
            sla_acknowledge=view.sla.acknowledge.value,
            sla_resolve=view.sla.resolve.value,
            created_at=view.created_at,
            updated_at=view.updated_at,
            notice_due=view.deadlines.notice_due,
            notice_sent_at=view.notice_sent_at,
            acknowledge_due=view.deadlines.acknowledge_due,
            acknowledged_at=view.acknowledged_at,
            resolve_due=view.deadlines.resolve_due,
            resolution_declared_at=view.resolution_declared_at,
            resolved_at=view.resolved_at,
            closed_at=view.closed_at or view.cancelled_at,
            view_json=view.model_dump_json(),
        )

    def to_view(self) -> EscalationView:
        return EscalationView.model_validate_json(self.view_json)


class TimelineRow(SQLModel, table=True):
    """Unique on (escalation_id, seq): a retried activity can never write an entry twice."""

    __tablename__ = "timeline_entries"

    escalation_id: str = Field(primary_key=True, max_length=64)
    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    type: str = Field(max_length=40)
    actor: str = Field(max_length=120)
    stage: str = Field(max_length=20)
    details_json: str = Field(sa_column=Column(Text, nullable=False))


class RcaTaskRow(SQLModel, table=True):
    __tablename__ = "rca_tasks"

    id: str = Field(primary_key=True, max_length=100)
    escalation_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=20)
    assignee: str = Field(max_length=120, index=True)
    status: str = Field(max_length=20, index=True)
    due_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    submitted_at: datetime | None = _ts()
    escalation_title: str = Field(max_length=200)
    escalation_priority: str = Field(max_length=4)
    customer_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


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
    delivered_at: datetime | None = _ts()


class ClosedRecordRow(SQLModel, table=True):
    """Related incidents/records closed when an escalation enters the close stage."""

    __tablename__ = "closed_records"

    escalation_id: str = Field(primary_key=True, max_length=64)
    record: str = Field(primary_key=True, max_length=120)
    closed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
