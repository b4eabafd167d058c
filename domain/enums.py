"""The escalation vocabulary (lifecycle.md, "Words"; api.md)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MERGED = "merged"  # closed as a duplicate of another escalation (issue 22); see merged_into


class Stage(StrEnum):
    START = "start"
    COMMUNICATE = "communicate"
    RESOLVE = "resolve"
    CLOSE = "close"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    def raised(self) -> Priority:
        """One step up, never past P1."""
        order = list(Priority)
        return order[max(order.index(self) - 1, 0)]


class Level(StrEnum):
    AGENT = "agent"
    TEAM_LEAD = "team_lead"
    MANAGER = "manager"
    DIRECTOR = "director"

    def raised(self) -> Level:
        order = list(Level)
        return order[min(order.index(self) + 1, len(order) - 1)]

    def lowered(self) -> Level:
        """One step down, never below agent: only a person de-escalates (issue 22)."""
        order = list(Level)
        return order[max(order.index(self) - 1, 0)]

    def at_least(self, other: Level) -> Level:
        order = list(Level)
        return order[max(order.index(self), order.index(other))]


class Role(StrEnum):
    INCIDENT_MANAGER = "incident_manager"
    ENGINEER = "engineer"
    ENGAGEMENT_LEAD = "engagement_lead"
    VIEWER = "viewer"
    INTAKE = "intake"  # connectors (social-listening tools): batch intake only
    SYSTEM = "system"  # timers and intake; never held by a token


class Category(StrEnum):
    BILLING = "billing"
    OUTAGE = "outage"
    UNDELIVERED = "undelivered"
    CALLOUT = "callout"
    SALES_OPPORTUNITY = "sales_opportunity"
    QUESTION = "question"
    FEEDBACK = "feedback"
    OTHER = "other"


class SourceChannel(StrEnum):
    TWITTER = "twitter"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    WEB = "web"
    API = "api"


class ContactChannel(StrEnum):
    WEBHOOK = "webhook"
    SLACK = "slack"
    EMAIL = "email"


class Audience(StrEnum):
    INTERNAL = "internal"
    CUSTOMERS = "customers"


class Temperature(StrEnum):
    HOT = "hot"
    COLD = "cold"


class SlaOutcome(StrEnum):
    PENDING = "pending"
    MET = "met"
    BREACHED = "breached"
    # A complaint's final-response deadline passed after a delay notice (RG 271.63-.66): the
    # firm may take longer, and the response is still owed.
    EXTENDED = "extended"


class EscalationType(StrEnum):
    FUNCTIONAL = "functional"
    HIERARCHICAL = "hierarchical"
    AUTOMATIC = "automatic"


class ResolutionState(StrEnum):
    WORKING = "working"
    DECLARED = "declared"  # awaiting the engineer's verification
    VERIFIED = "verified"  # awaiting the engagement lead's confirmation
    CONFIRMED = "confirmed"


class Gate(StrEnum):
    """The two steps between a declared resolution and close, each with an owner and a clock."""

    VERIFY = "verify"  # the team's engineers verify the declared resolution
    CONFIRM = "confirm"  # the engagement lead confirms the customer's access


class RcaKind(StrEnum):
    INTERNAL = "internal"
    CUSTOMER = "customer"


class RcaStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    OVERDUE = "overdue"


class Action(StrEnum):
    """Every workflow update; the value is the update's name (lifecycle.md)."""

    ACKNOWLEDGE = "acknowledge"
    ADD_DETAILS = "add_details"
    SEND_NOTICE = "send_notice"
    POST_STATUS_UPDATE = "post_status_update"
    SET_ACTION_PLAN = "set_action_plan"
    ESCALATE = "escalate"
    DEPLOY_TASK_FORCE = "deploy_task_force"
    DECLARE_RESOLUTION = "declare_resolution"
    VERIFY_RESOLUTION = "verify_resolution"
    CONFIRM_CUSTOMER_ACCESS = "confirm_customer_access"
    SUBMIT_INTERNAL_RCA = "submit_internal_rca"
    SHARE_CUSTOMER_RCA = "share_customer_rca"
    CANCEL = "cancel"
    ACKNOWLEDGE_COMPLAINT = "acknowledge_complaint"
    RESOLVE_EARLY = "resolve_early"
    SEND_DELAY_NOTICE = "send_delay_notice"
    SEND_IDR_RESPONSE = "send_idr_response"
    # Case work (issue 22): the SLA clocks paused and resumed, a new triage, a level down.
    PAUSE = "pause"
    RESUME = "resume"
    RETRIAGE = "retriage"
    DEESCALATE = "deescalate"
    MERGE = "merge"  # close as a duplicate of another escalation (issue 22)
    ADD_NOTE = "add_note"  # an internal note; never sent to customers (issue 22)


class TimelineType(StrEnum):
    CREATED = "created"
    ROUTED = "routed"
    STAGE_CHANGED = "stage_changed"
    ACKNOWLEDGED = "acknowledged"
    DETAILS_ADDED = "details_added"
    NOTICE_SENT = "notice_sent"
    STATUS_UPDATE = "status_update"
    REMINDER_SENT = "reminder_sent"
    ACTION_PLAN_SET = "action_plan_set"
    ESCALATED = "escalated"
    TASK_FORCE_DEPLOYED = "task_force_deployed"
    TASK_FORCE_SUSPENDED = "task_force_suspended"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    RESOLUTION_DECLARED = "resolution_declared"
    RESOLUTION_VERIFIED = "resolution_verified"
    RESOLUTION_REJECTED = "resolution_rejected"
    CUSTOMER_ACCESS_CONFIRMED = "customer_access_confirmed"
    CUSTOMER_ACCESS_DENIED = "customer_access_denied"
    RELATED_RECORDS_CLOSED = "related_records_closed"
    RELATED_RECORD_LINKED = "related_record_linked"  # outcome in details: linked | failed
    RELATED_RECORD_OUTCOME = "related_record_outcome"  # closed | already_closed | kept | failed
    PROBLEM_RECORD_OPENED = "problem_record_opened"
    PROBLEM_RECORD_FAILED = "problem_record_failed"
    RCA_REQUESTED = "rca_requested"
    RCA_REMINDER = "rca_reminder"
    RCA_OVERDUE = "rca_overdue"
    INTERNAL_RCA_SUBMITTED = "internal_rca_submitted"
    CUSTOMER_RCA_SHARED = "customer_rca_shared"
    NOTIFICATION_FAILED = "notification_failed"
    # A message that reached nobody, or not everyone it was meant for, and why (issue 20).
    NOTIFICATION_SKIPPED = "notification_skipped"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    COMPLAINT_ACKNOWLEDGED = "complaint_acknowledged"
    RESOLVED_EARLY = "resolved_early"
    EARLY_RESOLUTION_WINDOW_CLOSED = "early_resolution_window_closed"
    DELAY_NOTICE_SENT = "delay_notice_sent"
    IDR_RESPONSE_SENT = "idr_response_sent"
    SLA_EXTENDED = "sla_extended"
    POSTS_ATTACHED = "posts_attached"  # social intake grouped posts (or a spike grew) into it
    PAUSED = "paused"  # the SLA clocks stopped (issue 22); details name the ones that run on
    RESUMED = "resumed"  # by hand, at `until`, or at the policy's cap; the paused time added
    RETRIAGED = "retriaged"  # priority, category or team changed: before and after
    DEESCALATED = "deescalated"  # one level down, by hand only
    MERGED = "merged"  # this escalation closed as a duplicate (details.into)
    DUPLICATE_MERGED = "duplicate_merged"  # a duplicate merged into this one (details.duplicate)
    NOTE = "note"  # an internal note (details.text, details.mentioned)


class NotificationEvent(StrEnum):
    NEW_ESCALATION = "new_escalation"
    NOTICE = "notice"
    STATUS_UPDATE = "status_update"
    REMINDER = "reminder"
    ESCALATED = "escalated"
    TASK_FORCE = "task_force"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    RESOLUTION_DECLARED = "resolution_declared"
    RESOLUTION_VERIFIED = "resolution_verified"
    RCA_TASK = "rca_task"
    RCA_SHARED = "rca_shared"
    CANCELLED = "cancelled"
    COMPLAINT_ACKNOWLEDGEMENT = "complaint_acknowledgement"
    DELAY_NOTICE = "delay_notice"
    IDR_RESPONSE = "idr_response"
    RETRIAGED = "retriaged"
    DEESCALATED = "deescalated"
    MERGED = "merged"  # the escalation was merged into another: where it went
    MENTION = "mention"  # a team contact named with @ in an internal note


class NotificationAudience(StrEnum):
    """The audience field of an outbound message (api.md: internal | customer)."""

    INTERNAL = "internal"
    CUSTOMER = "customer"
