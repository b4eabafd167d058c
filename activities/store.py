"""Store activities: each call is one transaction, safe to retry.

Synchronous on purpose: SQLModel sessions block, so the worker runs these on its thread pool.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from temporalio import activity

from activities.metrics import DomainMetrics
from domain.enums import Status, TimelineType
from domain.messages import ActivityName, CloseRecordsInput, PriorEscalationsInput, RecordInput
from store.merging import hand_over_posts
from store.queries import (
    append_timeline,
    close_records,
    count_prior_escalations,
    mark_failed,
    upsert_escalation,
)


class StoreActivities:
    def __init__(
        self, sessions: sessionmaker[Session], metrics: DomainMetrics | None = None
    ) -> None:
        self._sessions = sessions
        self._metrics = metrics or DomainMetrics.noop()

    @activity.defn(name=ActivityName.RECORD_ESCALATION.value)
    def record_escalation(self, input: RecordInput) -> None:
        # The timeline goes in even when the projection is stale: entries are keyed by seq.
        with self._sessions() as session, session.begin():
            upsert_escalation(session, input.view, request_hash=input.request_hash)
            inserted = append_timeline(session, input.view.id, input.entries)
            if input.view.status is Status.MERGED and input.view.merged_into:
                hand_over_posts(session, input.view.id, input.view.merged_into)
            for entry in input.entries:
                if entry.type is TimelineType.NOTIFICATION_FAILED:
                    # Retries ran out in the workflow: the delivery row says so too.
                    mark_failed(session, str(entry.details.get("notification_id")), entry.at,
                                str(entry.details.get("reason")))
        # After the commit, and only what this attempt inserted: a retry counts nothing twice.
        self._metrics.recorded(input.view.priority, [e for e in input.entries if e.seq in inserted])

    @activity.defn(name=ActivityName.COUNT_PRIOR_ESCALATIONS.value)
    def count_prior_escalations(self, input: PriorEscalationsInput) -> int:
        with self._sessions() as session, session.begin():
            return count_prior_escalations(
                session,
                customer_id=input.customer_id,
                since=input.since,
                exclude_id=input.exclude_id,
            )

    @activity.defn(name=ActivityName.CLOSE_RELATED_RECORDS.value)
    def close_related_records(self, input: CloseRecordsInput) -> list[str]:
        with self._sessions() as session, session.begin():
            return close_records(
                session,
                escalation_id=input.escalation_id,
                records=input.records,
                at=datetime.now(UTC),
            )
