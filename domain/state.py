"""EscalationState: everything the workflow holds, and the continue-as-new input from day one."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.complaint_record import ComplaintRecord
from domain.enums import (
    Category,
    Level,
    NotificationAudience,
    NotificationEvent,
    Priority,
    ResolutionState,
    SourceChannel,
    Stage,
    Status,
    Temperature,
)
from domain.models import (
    ActionPlan,
    AffectedCustomer,
    CreateEscalationInput,
    Customer,
    Deadlines,
    EscalationView,
    Links,
    RcaTask,
    RcaView,
    Recipient,
    Routing,
    SlaState,
    Source,
    TaskForce,
)
from domain.policy import Policy
from domain.record_outcomes import RecordLink, RecordOutcome, RecordWork
from domain.routing import RoutingDecision


class LinkBases(BaseModel):
    """Where links in answers and messages point; from the API's settings at creation."""

    api: str = "http://127.0.0.1:8000"
    temporal_ui: str = "http://127.0.0.1:8233"
    namespace: str = "default"

    def links_for(self, escalation_id: str) -> Links:
        return Links(
            self=f"/v1/escalations/{escalation_id}",
            timeline=f"/v1/escalations/{escalation_id}/timeline",
            temporal_ui=(
                f"{self.temporal_ui.rstrip('/')}/namespaces/{self.namespace}"
                f"/workflows/{escalation_id}"
            ),
        )


class Notification(BaseModel):
    """One delivery to one recipient. `id` is deterministic: escalation, purpose, sequence."""

    id: str
    escalation_id: str
    event: NotificationEvent
    audience: NotificationAudience
    recipient: Recipient
    subject: str
    message: str
    seq: int  # the timeline entry that caused it


class EscalationRequest(BaseModel):
    """What the API hands the workflow on creation: the request, its routing and the policy."""

    id: str
    request: CreateEscalationInput
    routing: RoutingDecision
    policy: Policy
    links: LinkBases = LinkBases()
    created_by: str
    request_id: str
    request_hash: str
    # True: `routing` is final, the customer's history included: the API counted the prior
    # escalations and applied the repeat-customer signal before the start, so the start's
    # search attributes and static summary show the final priority and intake decides nothing
    # more. False: a request from an older API, whose `routing` leaves that signal out; the
    # workflow applies it itself (workflows/patches.py, REPEAT_CUSTOMER_COUNTED_BY_API).
    routing_final: bool = False
    # The count the signal was decided on (None: no customer, or a requested priority).
    prior_escalations: int | None = None


class PauseSpan(BaseModel):
    """One pause of the SLA clocks that ended."""

    start: datetime
    end: datetime


class EscalationState(BaseModel):
    id: str
    version: int = 1
    seq: int = 0  # last timeline sequence number written
    title: str
    description: str = ""
    category: Category
    channel: SourceChannel
    complaint_kind: str | None = None
    # None for every escalation without a complaint kind, and for complaints opened before the
    # record existed (they keep the clocks they were opened with: workflows/patches.py).
    complaint: ComplaintRecord | None = None
    customer: Customer | None = None
    source: Source | None = None
    temperature: Temperature
    status: Status = Status.OPEN
    stage: Stage = Stage.START
    priority: Priority
    tier: int
    level: Level = Level.AGENT
    team: str
    owner: str | None = None
    routing: Routing
    deadlines: Deadlines = Deadlines()
    sla: SlaState = SlaState()
    fired: list[str] = []  # one-shot timers that already fired
    notice_sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    resolution_state: ResolutionState = ResolutionState.WORKING
    resolution: str | None = None
    resolution_declared_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    last_update_at: datetime | None = None  # anchor of the status-update cadence
    missed_updates: int = 0
    action_plan: ActionPlan | None = None
    task_force: TaskForce = TaskForce()
    affected_customers: list[AffectedCustomer] = []
    affected_services: list[str] = []
    related_records: list[str] = []
    problem_records: list[str] = []
    stakeholders: list[Recipient] = []
    tags: list[str] = []
    related_records_closed: bool = False
    record_links: list[RecordLink] = []
    record_outcomes: list[RecordOutcome] = []
    record_work: list[RecordWork] = []  # calls into related systems not yet recorded
    rca_required: bool
    rca_internal: RcaTask | None = None
    rca_customer: RcaTask | None = None
    created_at: datetime
    updated_at: datetime
    created_by: str
    request_id: str
    request_hash: str
    policy: Policy
    links: LinkBases = LinkBases()
    # The SLA clocks' pause (issue 22, domain/lifecycle/pausing.py).
    paused_at: datetime | None = None
    paused_until: datetime | None = None  # ends by itself then: its `until`, or the cap
    pauses: list[PauseSpan] = []  # the pauses that ended: a re-triage moves deadlines by them
    outbox: list[Notification] = []  # deliveries not yet finished; restarted after continue-as-new
    # Merging (issue 22): where this one went as a duplicate, and the duplicates it took in
    # (each once: a repeated absorb_duplicate changes nothing).
    merged_into: str | None = None
    merged_from: list[str] = []
    notes: int = 0  # internal notes written (issue 22); the notes are timeline entries

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def paused_total(self) -> int:
        """Seconds the SLA clocks stood paused in pauses that ended (wall-clock time)."""
        return int(sum((p.end - p.start).total_seconds() for p in self.pauses))

    def paused_before(self, at: datetime | None) -> int:
        """Seconds paused between creation and `at` (0 before `at` happened), counting a pause
        still running at `at` up to it."""
        if at is None:
            return 0
        spans = [(p.start, p.end) for p in self.pauses]
        if self.paused_at is not None:
            spans.append((self.paused_at, at))
        return int(sum(max(0.0, (min(end, at) - start).total_seconds()) for start, end in spans))

    def to_view(self, allowed_actions: list[str]) -> EscalationView:
        return EscalationView(
            id=self.id,
            version=self.version,
            title=self.title,
            description=self.description,
            category=self.category,
            channel=self.channel,
            complaint_kind=self.complaint_kind,
            complaint=self.complaint,
            status=self.status,
            stage=self.stage,
            temperature=self.temperature,
            priority=self.priority,
            tier=self.tier,
            level=self.level,
            team=self.team,
            owner=self.owner,
            customer=self.customer,
            source=self.source,
            routing=self.routing,
            deadlines=self.deadlines,
            sla=self.sla,
            notice_sent_at=self.notice_sent_at,
            acknowledged_at=self.acknowledged_at,
            resolution_declared_at=self.resolution_declared_at,
            resolved_at=self.resolved_at,
            closed_at=self.closed_at,
            cancelled_at=self.cancelled_at,
            resolution=self.resolution,
            action_plan=self.action_plan,
            task_force=self.task_force,
            affected_customers=self.affected_customers,
            affected_services=self.affected_services,
            related_records=self.related_records,
            problem_records=self.problem_records,
            stakeholders=self.stakeholders,
            tags=self.tags,
            record_links=self.record_links,
            record_outcomes=self.record_outcomes,
            rca=RcaView(
                required=self.rca_required, internal=self.rca_internal, customer=self.rca_customer
            ),
            paused=self.paused_at is not None,
            paused_at=self.paused_at,
            paused_until=self.paused_until,
            paused_total=self.paused_total,
            paused_before_acknowledgement=self.paused_before(self.acknowledged_at),
            paused_before_resolution=self.paused_before(self.resolution_declared_at),
            allowed_actions=allowed_actions,
            links=self.links.links_for(self.id),
            created_at=self.created_at,
            updated_at=self.updated_at,
            merged_into=self.merged_into,
            merged_from=self.merged_from,
        )
