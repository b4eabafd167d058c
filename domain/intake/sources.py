"""What `GET /v1/escalations/{id}/sources` answers: the posts attached to an escalation and,
for each of their authors, the author's last posts and previous escalations (seed step 2)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.enums import Category, Priority, SourceChannel, Stage, Status
from domain.intake.posts import PostView
from domain.models import Customer

AUTHOR_POSTS = 7
AUTHOR_ESCALATIONS = 10


class EscalationBrief(BaseModel):
    id: str
    title: str
    category: Category
    status: Status
    stage: Stage
    priority: Priority
    created_at: datetime


class AuthorHistory(BaseModel):
    channel: SourceChannel
    handle: str
    customer: Customer | None = None
    posts: list[PostView] = Field(description=f"The author's last {AUTHOR_POSTS} posts")
    escalations: list[EscalationBrief] = Field(
        description="Earlier escalations of the author's posts or customer, newest first")


class Sources(BaseModel):
    escalation_id: str
    total: int = Field(description="Posts attached to the escalation")
    posts: list[PostView] = Field(description="The first `limit` of them, oldest first")
    authors: list[AuthorHistory] = Field(description="Each author of those posts once")
    spike_samples: list[PostView] = Field(
        default=[], description="For a spike escalation: the sample posts it quotes")
