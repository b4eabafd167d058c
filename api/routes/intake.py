"""POST /v1/intake/posts (batch intake, the connectors' webhook) and
GET /v1/escalations/{id}/sources (the posts an escalation came from, and their authors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import Intaker, Reader
from api.deps import EscalationId, IntakeDep, ReadsDep
from api.http.problems import responses
from domain.intake.posts import IntakeAnswer, IntakeBatch
from domain.intake.sources import Sources

router = APIRouter(tags=["intake"])


@router.post("/v1/intake/posts", responses=responses(400, 401, 403, 413, 422, 503))
async def receive_posts(actor: Intaker, intake: IntakeDep, body: IntakeBatch) -> IntakeAnswer:
    """Up to 500 posts: each triaged, stored, and escalated, attached or recorded (or a
    duplicate); a retry of the same batch changes nothing."""
    return await intake.receive(body, actor=actor)


@router.get("/v1/escalations/{escalation_id}/sources",
            responses=responses(401, 403, 404, 422, 503))
async def get_sources(
    _actor: Reader, reads: ReadsDep, escalation_id: EscalationId,
    limit: Annotated[int, Query(ge=1, le=500, description="Posts to list")] = 100,
) -> Sources:
    """The posts that went to the escalation and, per author, their last posts and previous
    escalations."""
    return await reads.sources(escalation_id, limit=limit)
