"""GET /v1/escalations/{id}/saved-replies: the policy's saved replies that fit the escalation."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.auth import Reader
from api.deps import EscalationId, ReadsDep
from api.http.problems import responses
from domain.lifecycle.replies import RenderedReply

router = APIRouter(prefix="/v1/escalations", tags=["escalations"])


class SavedReplies(BaseModel):
    items: list[RenderedReply]


@router.get("/{escalation_id}/saved-replies", responses=responses(401, 403, 404, 422, 503))
async def list_saved_replies(
    actor: Reader, reads: ReadsDep, escalation_id: EscalationId
) -> SavedReplies:
    """Saved replies that fit the escalation's category and tags, rendered with its
    placeholders; send one with `saved_reply` on notice or status-updates."""
    del actor  # any role reads them
    return SavedReplies(items=await reads.saved_replies(escalation_id))
