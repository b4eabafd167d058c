"""Reads: one escalation (live while open), lists, timelines and RCA inboxes (from the store).

GET one asks the running workflow (`state` query) so an open escalation is never stale. The
stored projection answers instead when the escalation is closed or cancelled, and also when the
workflow cannot answer in time (no worker, Temporal down): that answer may lag the live state by
the actions still being recorded, and says so with `X-Escalation-Source: store`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlmodel import Session
from temporalio.client import WorkflowQueryFailedError, WorkflowQueryRejectedError
from temporalio.service import RPCError, RPCStatusCode

from api.services.store import StoreReader, StoreUnavailable
from api.services.temporal import TemporalGateway, TemporalUnavailable
from domain.enums import RcaKind, RcaStatus, Role, Status
from domain.errors import FieldProblem, InvalidInput, NotFound, Unavailable
from domain.intake.sources import Sources
from domain.lifecycle.replies import RenderedReply
from domain.models import EscalationView, TimelineEntry
from store.queries import (
    DeliveryItem,
    EscalationFilters,
    InvalidCursor,
    RcaTaskItem,
    TimelineItem,
    board_page,
    escalation_sources,
    get_escalation,
    get_timeline,
    list_deliveries,
    list_escalations,
    list_rca_tasks,
)
from workflows.escalation import EscalationWorkflow

Source = Literal["live", "store"]

# api.md, "RCA tasks": each role sees the kinds it works on.
RCA_KINDS: dict[Role, frozenset[RcaKind]] = {
    Role.INCIDENT_MANAGER: frozenset(RcaKind),
    Role.ENGINEER: frozenset({RcaKind.INTERNAL}),
    Role.ENGAGEMENT_LEAD: frozenset({RcaKind.CUSTOMER}),
}


@dataclass(frozen=True)
class Found:
    escalation: EscalationView
    source: Source


class Reads:
    def __init__(self, *, temporal: TemporalGateway, store: StoreReader) -> None:
        self._temporal = temporal
        self._store = store

    async def _live(self, escalation_id: str) -> EscalationView:
        client = await self._temporal.client()
        handle = client.get_workflow_handle_for(EscalationWorkflow.run, escalation_id)
        async with self._temporal.deadline():
            return await handle.query(EscalationWorkflow.state,
                                      rpc_timeout=self._temporal.timeout)

    async def escalation(self, escalation_id: str) -> Found:
        try:
            stored = await self._store.read(lambda s: get_escalation(s, escalation_id))
        except StoreUnavailable:
            stored = None  # the workflow may still answer
        if stored is not None and stored.status is not Status.OPEN:
            return Found(stored, "store")
        try:
            return Found(await self._live(escalation_id), "live")
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
            if stored is None:
                raise NotFound(f"No escalation {escalation_id}.") from None
        except (TemporalUnavailable, WorkflowQueryFailedError, WorkflowQueryRejectedError):
            # Also the instant between start and intake, when the workflow has no state to show.
            if stored is None:
                raise Unavailable(
                    "The escalation's workflow did not answer and nothing is stored yet; retry."
                ) from None
        return Found(stored, "store")

    async def saved_replies(self, escalation_id: str) -> list[RenderedReply]:
        """The saved replies that fit, from the escalation's policy snapshot (its workflow);
        none once it has ended (nothing can be sent any more)."""
        client = await self._temporal.client()
        handle = client.get_workflow_handle_for(EscalationWorkflow.run, escalation_id)
        try:
            async with self._temporal.deadline():
                return await handle.query(EscalationWorkflow.saved_replies,
                                          rpc_timeout=self._temporal.timeout)
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
        except (WorkflowQueryFailedError, WorkflowQueryRejectedError):
            raise Unavailable("The escalation's workflow did not answer; retry.") from None
        if await self._store.read(lambda s: get_escalation(s, escalation_id)) is None:
            raise NotFound(f"No escalation {escalation_id}.")
        return []

    async def page(
        self, filters: EscalationFilters, *, limit: int, cursor: str | None
    ) -> tuple[list[EscalationView], str | None]:
        try:
            return await self._store.read(
                lambda s: list_escalations(s, filters, limit=limit, cursor=cursor)
            )
        except InvalidCursor as error:
            raise InvalidInput("The request is not valid.", problems=[
                FieldProblem(field="query.cursor", message=str(error))]) from None

    async def board(
        self, filters: EscalationFilters, *, limit: int, cursor: str | None
    ) -> tuple[list[EscalationView], str | None]:
        """The console's board: by next deadline, soonest first (store/board.py)."""
        try:
            return await self._store.read(
                lambda s: board_page(s, filters, limit=limit, cursor=cursor))
        except InvalidCursor as error:
            raise InvalidInput("The request is not valid.", problems=[
                FieldProblem(field="query.cursor", message=str(error))]) from None

    async def history(self, escalation_id: str) -> tuple[list[TimelineEntry], list[DeliveryItem]]:
        """The timeline and every delivery of its notifications, in one read."""
        return await self._store.read(
            lambda s: (get_timeline(s, escalation_id), list_deliveries(s, escalation_id)))

    async def timeline(self, escalation_id: str) -> list[TimelineItem]:
        """Every entry, each with the deliveries it caused (delivered, retrying, failed,
        skipped), in one read."""
        def query(session: Session) -> tuple[list[TimelineEntry], list[DeliveryItem], bool]:
            entries = get_timeline(session, escalation_id)
            exists = bool(entries) or get_escalation(session, escalation_id) is not None
            return entries, list_deliveries(session, escalation_id) if entries else [], exists

        entries, deliveries, exists = await self._store.read(query)
        if not exists:
            raise NotFound(f"No escalation {escalation_id}.")
        by_seq: dict[int | None, list[DeliveryItem]] = {}
        for item in deliveries:
            by_seq.setdefault(item.seq, []).append(item)
        return [TimelineItem(**entry.model_dump(), deliveries=by_seq.get(entry.seq, []))
                for entry in entries]

    async def deliveries(self, escalation_id: str) -> list[DeliveryItem]:
        def query(session: Session) -> tuple[list[DeliveryItem], bool]:
            return (list_deliveries(session, escalation_id),
                    get_escalation(session, escalation_id) is not None)

        items, exists = await self._store.read(query)
        if not exists and not items:
            raise NotFound(f"No escalation {escalation_id}.")
        return items

    async def sources(self, escalation_id: str, *, limit: int) -> Sources:
        def query(session: Session) -> tuple[Sources, bool]:
            found = escalation_sources(session, escalation_id, limit=limit)
            return found, bool(found.total or found.spike_samples) or get_escalation(
                session, escalation_id) is not None

        found, exists = await self._store.read(query)
        if not exists:
            raise NotFound(f"No escalation {escalation_id}.")
        return found

    async def rca_tasks(
        self,
        role: Role,
        *,
        status: RcaStatus | None,
        kind: RcaKind | None,
        assignee: str | None,
        assignees: Collection[str] | None = None,
    ) -> list[RcaTaskItem]:
        """`assignees`: only the tasks assigned to one of these names (a person and aliases)."""
        kinds = RCA_KINDS.get(role, frozenset())
        now = datetime.now(UTC)
        return await self._store.read(
            lambda s: list_rca_tasks(s, status=status, kind=kind, assignee=assignee,
                                     kinds=kinds, now=now, assignees=assignees)
        )
