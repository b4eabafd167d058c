"""Inputs and outputs of the workflow's intake update and of every activity (one model each)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

from domain.models import Actor, AffectedCustomer, EscalationView, Strict, Tag, TimelineEntry
from domain.state import EscalationRequest, EscalationState, Notification


class ActivityName(StrEnum):
    """The registered name of every activity: what histories record and tests mock by name."""

    RECORD_ESCALATION = "record_escalation"
    COUNT_PRIOR_ESCALATIONS = "count_prior_escalations"
    # Store-only, kept for escalations that entered the close stage before the records were
    # closed in their own systems (workflows/patches.py, RELATED_RECORDS_CLOSED_IN_THEIR_SYSTEMS).
    CLOSE_RELATED_RECORDS = "close_related_records"
    DELIVER_NOTIFICATION = "deliver_notification"
    LINK_RELATED_RECORD = "link_related_record"
    CLOSE_RELATED_RECORD = "close_related_record"
    OPEN_PROBLEM_RECORD = "open_problem_record"
    MEASURE_SPIKE = "measure_spike"
    RECORD_SPIKE = "record_spike"
    ATTACH_POSTS = "attach_posts"
    ABSORB_DUPLICATE = "absorb_duplicate"  # a merged duplicate's update to its survivor


# The escalation workflow's update that adds posts to it (social intake): not a lifecycle
# action (no route of its own), so its name is not an `Action`.
ATTACH_POSTS_UPDATE = "attach_posts"


class DeliveryFailure(StrEnum):
    """ApplicationError types of deliver_notification; all but FAILED are final (no retry)."""

    FAILED = "delivery_failed"
    TARGET_REFUSED = "target_refused"
    CHANNEL_NOT_CONFIGURED = "channel_not_configured"


class IntakeInput(BaseModel):
    """The update sent with the start: it waits for intake and tells a retry from a first call."""

    request_id: str
    request_hash: str


class IntakeResult(BaseModel):
    escalation: EscalationView
    created: bool  # this request started the escalation (201) rather than finding it (200)
    same_request: bool  # the body matches the one that created it (else: 422 on a reused key)


class AttachedPost(BaseModel):
    source: str  # channel:post_id
    author: str
    customer_id: str | None = None
    posted_at: datetime


class AttachPostsInput(Strict):
    """Posts that joined the escalation (intake grouping or a growing spike): their customers
    become affected customers, the services they name affected services; one timeline entry."""

    actor: Actor
    posts: Annotated[list[AttachedPost], Field(min_length=1, max_length=500)]
    affected_customers: Annotated[list[AffectedCustomer], Field(max_length=500)] = []
    affected_services: Annotated[list[Tag], Field(max_length=100)] = []
    note: Annotated[str, Field(max_length=2_000)] = ""


class AttachRequest(BaseModel):
    """The attach_posts activity: the update to send and its id (a retry sends it once)."""

    escalation_id: str
    update_id: str
    attach: AttachPostsInput


class RecordInput(BaseModel):
    """One store transaction: upsert the projection, append timeline entries (idempotent on seq)."""

    view: EscalationView
    entries: list[TimelineEntry] = []
    request_hash: str | None = None  # of the creating request (idempotent create, after close)


class PriorEscalationsInput(BaseModel):
    customer_id: str
    since: datetime
    exclude_id: str


class CloseRecordsInput(BaseModel):
    escalation_id: str
    records: list[str]


class DeliveryTarget(BaseModel):
    """What a delivery needs besides the message: the escalation brief and the host rules."""

    title: str
    priority: str
    stage: str
    status: str
    deadline: datetime | None = None  # the one of the current stage (lifecycle.sla)
    deadline_what: str | None = None  # what is due then: "verification due"
    # Nobody has taken it yet: internal Slack messages offer an Acknowledge button.
    awaiting_acknowledgement: bool = False
    links: dict[str, str] = {}
    allowed_hosts: list[str] = []
    block_private_addresses: bool = False


class DeliveryInput(BaseModel):
    notification: Notification
    target: DeliveryTarget


class DeliveryResult(BaseModel):
    notification_id: str
    status: str  # "delivered" | "already_delivered"
    status_code: int | None = None


class WorkflowInput(BaseModel):
    """EscalationWorkflow.run's input: a new escalation, or the state carried by continue-as-new."""

    request: EscalationRequest | None = None
    state: EscalationState | None = None
