"""The listening report (`GET /v1/reports/intake`, `escalations report intake`): what came in,
per hour, channel, category and temperature, and what intake did with it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.enums import Category, SourceChannel, Temperature


class HourCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    hour: datetime = Field(description="Start of the hour the posts were made in (UTC)")
    channel: SourceChannel
    category: Category
    temperature: Temperature
    posts: int


class TimeToEscalation(BaseModel):
    model_config = ConfigDict(frozen=True)

    count: int = Field(description="Posts that reached an escalation (escalated or attached)")
    mean_seconds: float | None = None
    p90_seconds: float | None = Field(default=None, description="Nearest-rank 90th percentile")


class IntakeReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    since: datetime | None = Field(description="Posts made at or after (inclusive)")
    until: datetime | None = Field(description="Posts made before (exclusive)")
    posts: int
    hot: int
    urgent: int = Field(description="Posts triage said to escalate (hot, or priority P1/P2)")
    urgent_share: float | None = Field(description="urgent / posts (0..1); none without posts")
    escalated: int = Field(description="Posts that opened an escalation")
    attached: int = Field(description="Posts that joined an open escalation")
    recorded: int = Field(description="Posts stored without an escalation")
    unsettled: int = Field(description="Stored, their batch interrupted: a retry finishes them")
    spikes_opened: int
    to_escalation: TimeToEscalation = Field(description="From the post to its escalation")
    by_hour: list[HourCount] = Field(description="Posts per hour, channel, category, temperature")
