"""A social post as `POST /v1/intake/posts` takes it (also the webhook body connectors send),
and the answer per post.

A post is known by its source id, `channel:post_id`: the same post sent again is a
`duplicate` and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from domain.enums import Category, Priority, SourceChannel, Temperature
from domain.errors import FieldProblem, InvalidInput
from domain.ids import escalation_id_for_key
from domain.models import Customer, Strict
from domain.triage import TriageAuthor, TriageInput

MAX_POSTS = 500
# Clocks differ; a post stamped further ahead than this is refused rather than left to sort
# before every real one in reports and author histories.
FUTURE_SLACK = timedelta(minutes=5)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

# Printable ASCII without spaces: what platforms use for ids (digits, URNs, base64url).
SourcePart = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _web_address(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return value


class PostAuthor(Strict):
    handle: Annotated[str, Field(min_length=1, max_length=200)]
    name: Annotated[str, Field(max_length=200)] | None = None
    verified: bool = False
    followers: Annotated[int, Field(ge=0, le=10_000_000_000)] = 0


class IntakePost(Strict):
    channel: SourceChannel
    post_id: SourcePart
    text: Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_not_blank)]
    author: PostAuthor
    customer: Customer | None = Field(
        default=None, description="The customer the connector matched the author to, if any")
    posted_at: AwareDatetime = Field(description="When the author posted it (RFC 3339)")
    thread_id: SourcePart | None = Field(
        default=None, description="The conversation or thread the post belongs to")
    url: Annotated[str, Field(max_length=2_000), AfterValidator(_web_address)] | None = None

    @property
    def source(self) -> str:
        return source_id(self.channel, self.post_id)

    def triage_input(self) -> TriageInput:
        author = TriageAuthor(handle=self.author.handle, verified=self.author.verified,
                              followers=self.author.followers)
        return TriageInput(text=self.text, channel=self.channel, author=author,
                           customer=self.customer)


class IntakeBatch(Strict):
    posts: Annotated[list[IntakePost], Field(min_length=1, max_length=MAX_POSTS)]

    def ensure_plausible_times(self, now: datetime) -> None:
        """A post from the future, or from before social media, is a connector's mistake."""
        late = now + FUTURE_SLACK
        problems = [FieldProblem(field=f"posts[{n}].posted_at", message=why)
                    for n, post in enumerate(self.posts)
                    if (why := _implausible(post.posted_at, late))]
        if problems:
            raise InvalidInput("Posts with impossible times.", problems=problems)


def _implausible(posted_at: datetime, late: datetime) -> str:
    if posted_at > late:
        return "is in the future (more than 5 minutes ahead)"
    if posted_at < EARLIEST:
        return f"is before {EARLIEST:%Y}"
    return ""


def source_id(channel: SourceChannel | str, post_id: str) -> str:
    return f"{SourceChannel(channel).value}:{post_id}"


def idempotency_key(source: str) -> str:
    """The Idempotency-Key of the escalation a post opens: a retried batch never opens two."""
    return f"intake:{source}"


def founded_escalation_id(source: str) -> str:
    """The id of the escalation the post with this source id opens, known before it opens."""
    return escalation_id_for_key(idempotency_key(source))


class PostOutcome(StrEnum):
    ESCALATED = "escalated"  # opened a new escalation
    ATTACHED = "attached"  # joined an open escalation about the same matter
    RECORDED = "recorded"  # stored, nothing opened (cold and not urgent)
    DUPLICATE = "duplicate"  # sent before: nothing changed


class PostAnswer(BaseModel):
    channel: SourceChannel
    post_id: str
    outcome: PostOutcome
    escalation_id: str | None = Field(
        description="The escalation the post went to (for a duplicate: when it was first sent)")
    category: Category
    temperature: Temperature
    priority: Priority


class IntakeAnswer(BaseModel):
    posts: list[PostAnswer] = Field(description="One answer per post, in the order sent")
    escalated: int
    attached: int
    recorded: int
    duplicate: int
    escalations: list[str] = Field(description="Escalations this batch opened or added to")


class PostView(BaseModel):
    """A stored post, as the API shows it (an escalation's sources, an author's history)."""

    channel: SourceChannel
    post_id: str
    text: str
    author: PostAuthor
    customer: Customer | None = None
    posted_at: datetime
    thread_id: str | None = None
    url: str | None = None
    category: Category
    temperature: Temperature
    priority: Priority
    team: str
    outcome: PostOutcome
    escalation_id: str | None = None
    received_at: datetime
    settled_at: datetime | None = Field(
        default=None, description="When it reached its escalation (or was recorded)")

    @property
    def source(self) -> str:
        return source_id(self.channel, self.post_id)


class StoredPost(PostView):
    """A stored post with what intake needs to finish it after an interruption."""

    urgent: bool
    founder: bool
    keys: list[str]
    services: list[str]
