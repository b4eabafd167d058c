"""GET /v1/rca-tasks: the RCA inbox of the caller's role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.auth import RcaReader
from api.deps import KeysDep, ReadsDep
from api.http.problems import responses
from domain.enums import RcaKind, RcaStatus
from domain.models import NO_NUL
from store.queries import RcaTaskItem

router = APIRouter(tags=["rca"])
ME = "me"


class RcaTaskList(BaseModel):
    items: list[RcaTaskItem]


@router.get("/v1/rca-tasks", responses=responses(401, 403, 422, 503))
async def list_rca_tasks(
    actor: RcaReader,
    reads: ReadsDep,
    keys: KeysDep,
    status: RcaStatus | None = None,
    kind: RcaKind | None = None,
    assignee: Annotated[str | None, Query(
        min_length=1, max_length=120, pattern=NO_NUL,
        description="An assignee's name, or `me`: your key's name and its aliases")] = None,
) -> RcaTaskList:
    """RCA tasks by due date: engagement leads see customer ones, engineers internal, IMs all."""
    if assignee == ME:
        items = await reads.rca_tasks(actor.role, status=status, kind=kind, assignee=None,
                                      assignees=keys.names_of(actor.name))
    else:
        items = await reads.rca_tasks(actor.role, status=status, kind=kind, assignee=assignee)
    return RcaTaskList(items=items)
