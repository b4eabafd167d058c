"""The board: open escalations by their next deadline, filtered, refreshing itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, field_validator
from starlette.responses import Response

from api.console.auth import Viewer
from api.console.render import page
from api.deps import PolicyDep, ReadsDep
from api.http.masking import for_role
from domain.clocks import next_clock
from domain.enums import Priority, Stage, Status
from domain.models import EscalationView
from store.queries import EscalationFilters

router = APIRouter()
PAGE_SIZE = 50
ROWS = "board-rows"  # the htmx target the board's polling swaps


class BoardQuery(BaseModel):
    """The board's filters, as the URL keeps them; an empty field means "any"."""

    status: Status | Literal["any"] = Status.OPEN
    stage: Stage | None = None
    priority: Priority | None = None
    team: Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[^\x00]*$")] | None = None
    tier: Annotated[int, Field(ge=1, le=3)] | None = None
    breached: bool | None = None
    paused: bool | None = None  # the SLA clocks stand paused (issue 22)
    customer_id: Annotated[str, Field(min_length=1, max_length=120,
                                      pattern=r"^[^\x00]*$")] | None = None
    q: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")] | None = None
    sort: Literal["deadline", "newest"] = "deadline"
    cursor: Annotated[str, Field(max_length=400)] | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_any(cls, value: Any) -> Any:
        return None if value == "" else value

    def filters(self) -> EscalationFilters:
        return EscalationFilters(
            status=None if self.status == "any" else self.status, stage=self.stage,
            priority=self.priority, tier=self.tier, team=self.team,
            customer_id=self.customer_id, breached=self.breached, paused=self.paused,
            q=self.q)

    def url(self, **changes: Any) -> str:
        """This board's URL with `changes` (None drops a filter)."""
        values = {**self.model_dump(mode="json", exclude_none=True), **changes}
        for name, default in (("status", Status.OPEN.value), ("sort", "deadline")):
            if values.get(name) == default:
                del values[name]
        query = urlencode({k: v for k, v in values.items() if v is not None})
        return "/console/" + (f"?{query}" if query else "")


def board_rows(views: list[EscalationView], policy: PolicyDep, now: datetime
               ) -> list[dict[str, Any]]:
    rows = []
    for view in views:
        warn = policy.policy.sla(view.priority).warn_at
        rows.append({"view": view, "clock": next_clock(view, now=now, warn_share=warn)})
    return rows


@router.get("/console/")
async def board(
    request: Request, user: Viewer, reads: ReadsDep, policy: PolicyDep,
    query: Annotated[BoardQuery, Query()],
) -> Response:
    """Open escalations, soonest deadline first (or newest first)."""
    read = reads.board if query.sort == "deadline" else reads.page
    views, next_cursor = await read(query.filters(), limit=PAGE_SIZE, cursor=query.cursor)
    now = datetime.now(UTC)
    context = {
        "rows": board_rows([for_role(v, user.role) for v in views], policy, now),
        "query": query,
        "next_url": query.url(cursor=next_cursor) if next_cursor else None,
        "refresh_url": query.url(),
        "teams": sorted(policy.policy.teams),
        "statuses": [s.value for s in Status],
        "stages": [s.value for s in Stage],
        "priorities": [p.value for p in Priority],
    }
    if request.headers.get("HX-Target") == ROWS:
        return page(request, "_board_rows.html", context)
    return page(request, "board.html", context)
