"""Views and timeline entries for store tests, built from the domain models themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.enums import (
    Category,
    Level,
    Priority,
    RcaKind,
    RcaStatus,
    SlaOutcome,
    Stage,
    Status,
    Temperature,
    TimelineType,
)
from domain.models import (
    Customer,
    Deadlines,
    EscalationView,
    Links,
    RcaTask,
    RcaView,
    Routing,
    SlaState,
    TimelineEntry,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_view(escalation_id: str, *, created_at: datetime = T0, **changes: Any) -> EscalationView:
    view = EscalationView(
        id=escalation_id,
        version=1,
        title="Printer on fire",
        category=Category.OTHER,
        status=Status.OPEN,
        stage=Stage.COMMUNICATE,
        temperature=Temperature.COLD,
        priority=Priority.P3,
        tier=1,
        level=Level.AGENT,
        team="support",
        routing=Routing(rule="default"),
        deadlines=Deadlines(notice_due=created_at + timedelta(hours=1)),
        sla=SlaState(),
        rca=RcaView(required=False),
        links=Links(self=f"/v1/escalations/{escalation_id}", timeline="t", temporal_ui="u"),
        created_at=created_at,
        updated_at=created_at,
    )
    return view.model_copy(update=changes)


def breached() -> SlaState:
    return SlaState(acknowledge=SlaOutcome.BREACHED)


def customer(customer_id: str) -> Customer:
    return Customer(id=customer_id, name=f"Customer {customer_id}", vip=True)


def rca_task(
    task_id: str,
    kind: RcaKind,
    *,
    assignee: str = "pat",
    due_at: datetime = T0 + timedelta(days=2),
    status: RcaStatus = RcaStatus.OPEN,
) -> RcaTask:
    return RcaTask(
        id=task_id, kind=kind, assignee=assignee, due_at=due_at, status=status, created_at=T0
    )


def entry(seq: int, *, actor: str = "alice", **details: Any) -> TimelineEntry:
    return TimelineEntry(
        seq=seq,
        at=T0 + timedelta(minutes=seq),
        type=TimelineType.DETAILS_ADDED,
        actor=actor,
        stage=Stage.COMMUNICATE,
        details=details,
    )
