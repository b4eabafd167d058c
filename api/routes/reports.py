"""GET /v1/reports/sla: SLA figures per priority and per team; GET /v1/reports/intake: the
listening report. Both computed by the store in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api.auth import ReportReader
from api.deps import StoreDep
from api.http.problems import FieldError, responses, unprocessable
from domain.intake.reports import IntakeReport
from domain.models import NO_NUL
from domain.reports import GroupBy, SlaReport
from store.queries import intake_report, sla_report

router = APIRouter(tags=["reports"])


@router.get("/v1/reports/sla", responses=responses(401, 403, 422, 503))
async def get_sla_report(
    _actor: ReportReader,
    store: StoreDep,
    since: Annotated[AwareDatetime | None, Query(
        description="Escalations created at or after this instant (RFC 3339 with offset)")] = None,
    until: Annotated[AwareDatetime | None, Query(
        description="Escalations created before this instant (RFC 3339 with offset)")] = None,
    team: Annotated[str | None, Query(min_length=1, max_length=60, pattern=NO_NUL)] = None,
    group_by: Annotated[GroupBy | None, Query(
        description="Also split the figures by owner, team, tier, channel or category")] = None,
) -> SlaReport:
    """SLA shares, times to first notice, to acknowledge and to resolve, and open breaches, per
    priority and team (and per `group_by`); recurring issues per week by category and tag."""
    _check_window(since, until)
    return await store.read(lambda s: sla_report(s, since=since, until=until, team=team,
                                                 group_by=group_by))


@router.get("/v1/reports/intake", responses=responses(401, 403, 422, 503))
async def get_intake_report(
    _actor: ReportReader,
    store: StoreDep,
    since: Annotated[AwareDatetime | None, Query(
        description="Posts made at or after this instant (RFC 3339 with offset)")] = None,
    until: Annotated[AwareDatetime | None, Query(
        description="Posts made before this instant (RFC 3339 with offset)")] = None,
) -> IntakeReport:
    """Posts per hour by channel, category and temperature; the urgent share; escalated,
    attached and recorded counts; time from post to escalation."""
    _check_window(since, until)
    return await store.read(lambda s: intake_report(s, since=since, until=until))


def _check_window(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and since >= until:
        raise unprocessable([FieldError(field="query.until", message="must be after since")])
