"""Messages that cross the API and the Temporal boundary: one input model per action, one view.

Limits on every field keep bad input a clear 422 (api.md, "Errors") and keep history small.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from domain.complaint_record import Code, ComplaintInput, ComplaintRecord
from domain.enums import (
    Audience,
    Category,
    ContactChannel,
    EscalationType,
    Level,
    Priority,
    RcaKind,
    RcaStatus,
    Role,
    SlaOutcome,
    SourceChannel,
    Stage,
    Status,
    Temperature,
    TimelineType,
)

# NO_NUL, Contact and Strict lived here first; importers still find them here.
from domain.inputs import NO_NUL as NO_NUL
from domain.inputs import Contact as Contact
from domain.inputs import Strict as Strict
from domain.inputs import check_address
from domain.record_outcomes import RecordLink, RecordOutcome
from domain.saved_replies import ReplyName
from domain.sealed import SEALED_ADDRESS_MAX

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
LongText = Annotated[str, Field(min_length=1, max_length=10_000)]
OptionalLongText = Annotated[str, Field(max_length=10_000)]
RecordId = Annotated[
    str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/#-]*$")
]
Tag = Annotated[str, Field(min_length=1, max_length=60)]


def _strip_text(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise ValueError("must not be blank")
    return stripped


Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_strip_text)]
Message = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_strip_text)]


class Recipient(Strict):
    """A person or channel that can be notified: stakeholder, task-force member, policy contact."""

    name: Name
    role: Annotated[str, Field(max_length=120)] | None = None
    channel: ContactChannel
    address: Annotated[str, Field(min_length=3, max_length=SEALED_ADDRESS_MAX)]

    @model_validator(mode="after")
    def _address_fits_channel(self) -> Recipient:
        check_address(self.channel, self.address)
        return self


class Customer(Strict):
    id: RecordId
    name: Annotated[str, Field(max_length=200)] | None = None
    vip: bool = False


class AffectedCustomer(Strict):
    id: RecordId
    name: Annotated[str, Field(max_length=200)] | None = None
    contact: Contact | None = None


class Source(Strict):
    """Where the escalation came from, e.g. a social post."""

    author: Annotated[str, Field(max_length=200)] | None = None
    verified: bool = False
    followers: Annotated[int, Field(ge=0, le=10_000_000_000)] = 0
    url: Annotated[str, Field(max_length=2_000)] | None = None


class Actor(BaseModel):
    name: str
    role: Role


SYSTEM_ACTOR = Actor(name="system", role=Role.SYSTEM)


class CreateEscalationInput(Strict):
    title: Title
    description: Annotated[str, Field(max_length=10_000)] = ""
    category: Category
    priority: Priority | None = None
    channel: SourceChannel = SourceChannel.API
    complaint_kind: Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9_]+$")] | None = None
    complaint: ComplaintInput | None = None  # required with complaint_kind (the API checks)
    customer: Customer | None = None
    source: Source | None = None
    affected_customers: Annotated[list[AffectedCustomer], Field(max_length=500)] = []
    affected_services: Annotated[list[Tag], Field(max_length=100)] = []
    related_records: Annotated[list[RecordId], Field(max_length=200)] = []
    problem_records: Annotated[list[RecordId], Field(max_length=200)] = []
    stakeholders: Annotated[list[Recipient], Field(max_length=200)] = []
    tags: Annotated[list[Tag], Field(max_length=50)] = []


class ActionInput(Strict):
    """Base of every action: the API fills actor and expected_version, never the client."""

    actor: SkipJsonSchema[Actor | None] = None
    expected_version: SkipJsonSchema[int | None] = None


class AcknowledgeInput(ActionInput):
    owner: Name | None = None


class AddDetailsInput(ActionInput):
    affected_customers: Annotated[list[AffectedCustomer], Field(max_length=500)] = []
    affected_services: Annotated[list[Tag], Field(max_length=100)] = []
    related_records: Annotated[list[RecordId], Field(max_length=200)] = []
    problem_records: Annotated[list[RecordId], Field(max_length=200)] = []
    stakeholders: Annotated[list[Recipient], Field(max_length=200)] = []


class NoticeInput(ActionInput):
    message: Message | None = None  # None: the saved reply, else the policy's notice template
    audiences: Annotated[list[Audience], Field(min_length=1, max_length=2)] = [
        Audience.INTERNAL,
        Audience.CUSTOMERS,
    ]
    saved_reply: ReplyName | None = None  # a saved reply of the policy, instead of a message

    @model_validator(mode="after")
    def _message_or_saved_reply(self) -> NoticeInput:
        if self.message is not None and self.saved_reply is not None:
            raise ValueError("give either message or saved_reply, not both")
        return self


class StatusUpdateInput(ActionInput):
    message: Message | None = None  # exactly one of message and saved_reply
    audiences: Annotated[list[Audience], Field(min_length=1, max_length=2)] = [Audience.INTERNAL]
    saved_reply: ReplyName | None = None

    @model_validator(mode="after")
    def _message_or_saved_reply(self) -> StatusUpdateInput:
        if (self.message is None) == (self.saved_reply is None):
            raise ValueError("give exactly one of message and saved_reply")
        return self


class PlanStep(Strict):
    description: Annotated[str, Field(min_length=1, max_length=2_000)]
    owner: Name | None = None
    due: datetime | None = None


class ActionPlanInput(ActionInput):
    steps: Annotated[list[PlanStep], Field(min_length=1, max_length=100)]
    note: OptionalLongText = ""


class EscalateInput(ActionInput):
    type: EscalationType
    team: Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9_-]+$")] | None = None
    reason: Annotated[str, Field(min_length=1, max_length=2_000)]

    @model_validator(mode="after")
    def _team_matches_type(self) -> EscalateInput:
        if self.type is EscalationType.AUTOMATIC:
            raise ValueError("automatic escalations come from timers, not from callers")
        if self.type is EscalationType.FUNCTIONAL and not self.team:
            raise ValueError("a functional escalation names the team")
        if self.type is EscalationType.HIERARCHICAL and self.team:
            raise ValueError("a hierarchical escalation goes up the chain; it names no team")
        return self


class TaskForceInput(ActionInput):
    members: Annotated[list[Recipient], Field(min_length=1, max_length=100)]


class ResolutionInput(ActionInput):
    summary: Message


class VerificationInput(ActionInput):
    verified: bool
    note: OptionalLongText = ""


class CustomerAccessInput(ActionInput):
    confirmed: bool
    note: OptionalLongText = ""


class InternalRcaInput(ActionInput):
    summary: Message
    root_cause: Message
    corrective_actions: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=2_000)]], Field(max_length=100)
    ] = []


class CustomerRcaInput(ActionInput):
    summary: Message


class CancelInput(ActionInput):
    reason: Annotated[str, Field(min_length=1, max_length=2_000)]


class ComplaintAckInput(ActionInput):
    """Acknowledge the complaint to the complainant (RG 271.51), apart from `acknowledge`."""

    message: Message | None = None  # None: the policy's complaint_acknowledgement template


class ResolveEarlyInput(ActionInput):
    """Resolved to the complainant's satisfaction within the five-business-day window."""

    note: Message
    satisfied: bool
    written_response_requested: bool = False  # the complainant asked for a written response
    outcome: Code | None = None  # None: the policy's complaints.early_resolution_outcome


class DelayNoticeInput(ActionInput):
    reasons: Message


class IdrResponseInput(ActionInput):
    outcome: Code
    reasons: Message
    compensation: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] | None = None


def _utc_if_naive(value: datetime) -> datetime:
    # The console's datetime-local field sends no offset: the service speaks UTC (api.md).
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class PauseInput(ActionInput):
    """Stop the SLA clocks while the team waits on the customer or a third party."""

    reason: Annotated[str, Field(min_length=1, max_length=2_000)]
    # The pause ends by itself then; a time without offset is UTC.
    until: Annotated[datetime, AfterValidator(_utc_if_naive)] | None = None


class ResumeInput(ActionInput):
    note: OptionalLongText = ""


class Rerouting(BaseModel):
    """The routing rules' answer for the re-triaged facts; the API fills it (the workflow's
    policy snapshot does not carry the rules)."""

    rule: str
    team: str
    tier: int
    reasons: list[str] = []


class RetriageInput(ActionInput):
    """A new priority, category or team, as if it had applied since creation."""

    priority: Priority | None = None
    category: Category | None = None
    team: Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9_-]+$")] | None = None
    reason: Annotated[str, Field(min_length=1, max_length=2_000)]
    routing: SkipJsonSchema[Rerouting | None] = None

    @model_validator(mode="after")
    def _changes_something(self) -> RetriageInput:
        if self.priority is None and self.category is None and self.team is None:
            raise ValueError("name a new priority, category or team")
        return self


class DeescalateInput(ActionInput):
    reason: Annotated[str, Field(min_length=1, max_length=2_000)]


class Routing(BaseModel):
    rule: str
    reasons: list[str] = []


class Deadlines(BaseModel):
    notice_due: datetime | None = None
    acknowledge_due: datetime | None = None
    engage_more_due: datetime | None = None
    resolve_warning_due: datetime | None = None
    resolve_due: datetime | None = None
    next_update_due: datetime | None = None
    internal_rca_due: datetime | None = None
    customer_rca_due: datetime | None = None
    final_response_due: datetime | None = None  # complaint kinds (policy.md)
    delay_notice_due: datetime | None = None  # escalations opened before the complaint record
    # The complaint record's clocks (RG 271), counted from its received_at; all are regulatory
    # (REGULATORY_DEADLINES): they never pause.
    complaint_acknowledge_due: datetime | None = None
    early_resolution_due: datetime | None = None  # end of the fifth business day
    final_response_warning_due: datetime | None = None  # the team lead is alerted
    # The resolve gates: armed when the gate opens, cleared when it is passed (lifecycle/gates).
    verify_reminder_due: datetime | None = None
    verify_due: datetime | None = None
    confirm_reminder_due: datetime | None = None
    confirm_due: datetime | None = None


# Deadlines a regulator sets: a pause of the SLA clocks leaves these running.
REGULATORY_DEADLINES = frozenset({
    "final_response_due", "delay_notice_due", "complaint_acknowledge_due",
    "early_resolution_due", "final_response_warning_due",
})


# Deadlines a pause of the SLA clocks stops and moves on resume (domain/lifecycle/pausing.py).
# The stakeholder notice and the regulatory ones run on; RCA tasks belong to close (no pause).
PAUSABLE_DEADLINES = frozenset({
    "acknowledge_due", "engage_more_due", "resolve_warning_due", "resolve_due",
    "next_update_due", "verify_reminder_due", "verify_due", "confirm_reminder_due", "confirm_due",
})


class SlaState(BaseModel):
    notice: SlaOutcome = SlaOutcome.PENDING
    acknowledge: SlaOutcome = SlaOutcome.PENDING
    resolve: SlaOutcome = SlaOutcome.PENDING
    final_response: SlaOutcome | None = None  # only with a complaint kind
    complaint_acknowledge: SlaOutcome | None = None  # only with a complaint record
    verify: SlaOutcome | None = None  # once a resolution was declared with a gate clock
    confirm: SlaOutcome | None = None  # once a resolution was verified with a gate clock

    def any_breached(self) -> bool:
        return SlaOutcome.BREACHED in (
            self.notice, self.acknowledge, self.resolve, self.final_response,
            self.complaint_acknowledge, self.verify, self.confirm,
        )


class ActionPlanVersion(BaseModel):
    version: int
    steps: list[PlanStep]
    note: str = ""
    set_by: str
    set_at: datetime


class ActionPlan(BaseModel):
    version: int
    steps: list[PlanStep]
    note: str = ""
    history: list[ActionPlanVersion] = []


class TaskForce(BaseModel):
    active: bool = False
    members: list[Recipient] = []


class RcaTask(BaseModel):
    id: str
    kind: RcaKind
    assignee: str
    due_at: datetime
    status: RcaStatus = RcaStatus.OPEN
    created_at: datetime
    submitted_at: datetime | None = None
    summary: str | None = None
    root_cause: str | None = None
    corrective_actions: list[str] = []


class RcaView(BaseModel):
    required: bool
    internal: RcaTask | None = None
    customer: RcaTask | None = None


class Links(BaseModel):
    self: str
    timeline: str
    temporal_ui: str


class EscalationView(BaseModel):
    """The escalation as the API returns it and the `state` query answers (api.md)."""

    id: str
    version: int
    title: str
    description: str = ""
    category: Category
    channel: SourceChannel = SourceChannel.API
    complaint_kind: str | None = None
    complaint: ComplaintRecord | None = None
    status: Status
    stage: Stage
    temperature: Temperature
    priority: Priority
    tier: int
    level: Level
    team: str
    owner: str | None = None
    customer: Customer | None = None
    source: Source | None = None
    routing: Routing
    deadlines: Deadlines
    sla: SlaState
    notice_sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    resolution_declared_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    resolution: str | None = None
    action_plan: ActionPlan | None = None
    task_force: TaskForce = TaskForce()
    affected_customers: list[AffectedCustomer] = []
    affected_services: list[str] = []
    related_records: list[str] = []
    problem_records: list[str] = []
    stakeholders: list[Recipient] = []
    tags: list[str] = []
    # Each related record in its own system: the link commented at the start, the close outcome.
    record_links: list[RecordLink] = []
    record_outcomes: list[RecordOutcome] = []
    rca: RcaView
    # The SLA clocks' pause (issue 22): status stays open. paused_total counts the seconds of
    # pauses that ended (wall-clock time; reports take it out of time-to-resolve).
    paused: bool = False
    paused_at: datetime | None = None
    paused_until: datetime | None = None  # when the pause ends by itself (until, or the cap)
    paused_total: int = 0
    # Seconds the clocks stood paused between creation and the acknowledgement, and the declared
    # resolution: the SLA report measures the time to each without them.
    paused_before_acknowledgement: int = 0
    paused_before_resolution: int = 0
    allowed_actions: list[str] = []
    links: Links
    created_at: datetime
    updated_at: datetime
    merged_into: str | None = None  # status merged: the escalation it was merged into
    merged_from: list[str] = []  # the duplicates merged into this one


class TimelineEntry(BaseModel):
    seq: int
    at: datetime
    type: TimelineType
    actor: str
    stage: Stage
    details: dict[str, Any] = {}


class EscalationSummary(BaseModel):
    """What the workflow returns when it completes: every SLA outcome (lifecycle.md, close)."""

    id: str
    status: Status
    priority: Priority
    team: str
    sla: SlaState
    created_at: datetime
    closed_at: datetime | None
    timeline_entries: int
