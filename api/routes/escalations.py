"""POST/GET /v1/escalations, GET one, GET its timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from api.auth import Creator, Reader
from api.deps import EscalationId, EscalationsDep, IdempotencyKey, ReadsDep
from api.http.masking import delivery_for_role, for_role
from api.http.problems import responses
from domain.enums import Priority, Stage, Status
from domain.models import NO_NUL, CreateEscalationInput, EscalationView
from store.queries import DeliveryItem, EscalationFilters, TimelineItem

router = APIRouter(prefix="/v1/escalations", tags=["escalations"])


class EscalationPage(BaseModel):
    items: list[EscalationView]
    next_cursor: str | None


class Timeline(BaseModel):
    items: list[TimelineItem]


class Deliveries(BaseModel):
    items: list[DeliveryItem]


def _identify(response: Response, view: EscalationView) -> EscalationView:
    response.headers["ETag"] = f'"{view.version}"'
    return view


@router.post(
    "",
    status_code=201,
    responses={200: {"model": EscalationView,
                     "description": "Same Idempotency-Key and body: the escalation it opened"},
               **responses(400, 401, 403, 409, 413, 422, 503)},
)
async def create_escalation(
    actor: Creator,
    escalations: EscalationsDep,
    body: CreateEscalationInput,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> EscalationView:
    """Open an escalation; it is routed and answered once it is in stage communicate."""
    opened = await escalations.open(body, actor=actor, idempotency_key=idempotency_key)
    response.status_code = 201 if opened.created else 200
    response.headers["Location"] = opened.escalation.links.self
    return _identify(response, for_role(opened.escalation, actor.role))


@router.get("", responses=responses(401, 403, 422, 503))
async def list_escalations(
    actor: Reader,
    reads: ReadsDep,
    status: Status | None = None,
    stage: Stage | None = None,
    priority: Priority | None = None,
    tier: Annotated[int | None, Query(ge=1, le=3)] = None,
    team: Annotated[str | None, Query(min_length=1, max_length=60, pattern=NO_NUL)] = None,
    customer_id: Annotated[str | None, Query(min_length=1, max_length=120, pattern=NO_NUL)] = None,
    breached: bool | None = None,
    paused: Annotated[bool | None, Query(description="SLA clocks paused")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, pattern=NO_NUL,
                                   description="Text in the title")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=400, description="next_cursor of a page")
    ] = None,
) -> EscalationPage:
    """Escalations, newest first, filtered; follow next_cursor for the next page."""
    filters = EscalationFilters(status=status, stage=stage, priority=priority, tier=tier, team=team,
                                customer_id=customer_id, breached=breached, paused=paused,
                                q=q)
    items, next_cursor = await reads.page(filters, limit=limit, cursor=cursor)
    return EscalationPage(items=[for_role(v, actor.role) for v in items], next_cursor=next_cursor)


@router.get(
    "/{escalation_id}",
    responses=responses(401, 403, 404, 422, 503),
)
async def get_escalation(
    actor: Reader, reads: ReadsDep, escalation_id: EscalationId, response: Response
) -> EscalationView:
    """One escalation: live from its workflow while open, the stored final state after."""
    found = await reads.escalation(escalation_id)
    response.headers["X-Escalation-Source"] = found.source
    return _identify(response, for_role(found.escalation, actor.role))


@router.get("/{escalation_id}/timeline", responses=responses(401, 403, 404, 422, 503))
async def get_timeline(
    actor: Reader, reads: ReadsDep, escalation_id: EscalationId
) -> Timeline:
    """Everything that happened to the escalation, in order, each entry with the deliveries it
    caused."""
    items = await reads.timeline(escalation_id)
    return Timeline(items=[i.model_copy(update={
        "deliveries": [delivery_for_role(d, actor.role) for d in i.deliveries]}) for i in items])


@router.get("/{escalation_id}/deliveries", responses=responses(401, 403, 404, 422, 503))
async def get_deliveries(
    actor: Reader, reads: ReadsDep, escalation_id: EscalationId
) -> Deliveries:
    """Every recipient of every notification: delivered, pending, retrying (attempts, last
    error), failed, or skipped (why nobody could be reached)."""
    items = await reads.deliveries(escalation_id)
    return Deliveries(items=[delivery_for_role(d, actor.role) for d in items])
