"""The SLA report (api.md, "Reports"): what GET /v1/reports/sla and `escalations report` show.

Shares are met / (met + breached): escalations whose clock is still pending count in neither,
so a fresh escalation never drags a share down before its deadline has passed. A share or a
time with nothing to measure is None rather than 0, which would read as "all missed".
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.enums import Priority


class GroupBy(StrEnum):
    """What `group_by` may split the figures by (per representative, team, tier, channel,
    category: the seed's "reply and wait times per representative and per team")."""

    OWNER = "owner"
    TEAM = "team"
    TIER = "tier"
    CHANNEL = "channel"
    CATEGORY = "category"


# An escalation nobody owns yet, and one opened straight through the API or the console rather
# than from a social post: named, not left empty, so a group of them reads as a group.
UNASSIGNED = "(unassigned)"
DIRECT = "direct"


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
    mean_seconds_to_notice: float | None = Field(
        default=None, description="Creation to the first notice to stakeholders")
    p90_seconds_to_notice: float | None = None
    mean_seconds_to_acknowledge: float | None = Field(
        default=None, description="Creation to acknowledgement, less the time paused before it")
    p90_seconds_to_acknowledge: float | None = None
    mean_seconds_to_resolve: float | None = Field(
        default=None, description="Creation to declared resolution, less the time paused before it"
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


class GroupFigures(SlaFigures):
    value: str = Field(description=f"The group's owner, team, tier, channel or category; "
                                   f"{UNASSIGNED!r} for no owner, {DIRECT!r} for no post")


class RecurringCount(BaseModel):
    """Escalations created in one ISO week (its Monday) of one category, or carrying one tag."""

    model_config = ConfigDict(frozen=True)

    week: date
    kind: Literal["category", "tag"]
    name: str
    count: int


class SlaReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    since: datetime | None = Field(description="Created at or after (inclusive)")
    until: datetime | None = Field(description="Created before (exclusive)")
    team: str | None = Field(description="Only this team's escalations, when given")
    overall: SlaFigures
    by_priority: list[PriorityFigures] = Field(description="Every priority, P1 first")
    by_team: list[TeamFigures] = Field(description="Teams with escalations in the window")
    group_by: GroupBy | None = Field(default=None, description="What `groups` are split by")
    groups: list[GroupFigures] = Field(
        default=[], description="With group_by: one entry per value with escalations")
    recurring: list[RecurringCount] = Field(
        default=[], description="Recurring issues: escalations per week by category and by tag, "
                                "oldest week first, most frequent first within it")
