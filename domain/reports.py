"""The SLA report (api.md, "Reports"): what GET /v1/reports/sla and `escalations report` show.

Shares are met / (met + breached): escalations whose clock is still pending count in neither,
so a fresh escalation never drags a share down before its deadline has passed. A share or a
time with nothing to measure is None rather than 0, which would read as "all missed".
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.enums import Priority


class SlaFigures(BaseModel):
    model_config = ConfigDict(frozen=True)

    count: int = Field(description="Escalations created in the window")
    notice_within_sla: float | None = Field(
        description="Share of stakeholder notices sent in time (0..1), of those decided"
    )
    acknowledge_within_sla: float | None = Field(
        description="Share of acknowledgements in time (0..1), of those decided"
    )
    resolve_within_sla: float | None = Field(
        description="Share of resolutions declared in time (0..1), of those decided"
    )
    mean_seconds_to_acknowledge: float | None = None
    p90_seconds_to_acknowledge: float | None = None
    mean_seconds_to_resolve: float | None = Field(
        default=None, description="Creation to declared resolution"
    )
    p90_seconds_to_resolve: float | None = None
    open_breaches: int = Field(description="Still open, with at least one SLA breached")

    @classmethod
    def empty(cls) -> SlaFigures:
        return cls(count=0, notice_within_sla=None, acknowledge_within_sla=None,
                   resolve_within_sla=None, open_breaches=0)


class PriorityFigures(SlaFigures):
    priority: Priority


class TeamFigures(SlaFigures):
    team: str


class SlaReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    since: datetime | None = Field(description="Created at or after (inclusive)")
    until: datetime | None = Field(description="Created before (exclusive)")
    team: str | None = Field(description="Only this team's escalations, when given")
    overall: SlaFigures
    by_priority: list[PriorityFigures] = Field(description="Every priority, P1 first")
    by_team: list[TeamFigures] = Field(description="Teams with escalations in the window")
